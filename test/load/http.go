package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/multisaude/multisaude/core/kernel"
)

var client = &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 1024, MaxConnsPerHost: 0}}

func newKey() string { return kernel.NewID() }

func call(method, url, token string, body any, hdr map[string]string) (int, []byte, error) {
	var r io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		r = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, url, r)
	if err != nil {
		return 0, nil, err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	res, err := client.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	return res.StatusCode, b, err
}

func must(status int, body []byte, err error, want int, what string) ([]byte, error) {
	if err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	if status != want {
		return nil, fmt.Errorf("%s: status %d, want %d: %s", what, status, want, body)
	}
	return body, nil
}

// get sends a GET and decodes a 200 answer into out; anything else is a failed result.
func get(url, token string, out any) result {
	st, b, err := call("GET", url, token, nil, nil)
	if err != nil || st != 200 {
		return failed("GET %s: %d %v %.300s", url, st, err, b)
	}
	if err := json.Unmarshal(b, out); err != nil {
		return differs("GET %s: not the documented JSON: %v", url, err)
	}
	return okResult
}

func login(base, email, password, kind string) (string, error) {
	st, b, err := call("POST", base+"/v1/auth/token", "", map[string]any{"grant_type": "password", "email": email, "password": password, "account_kind": kind}, nil)
	if b, err = must(st, b, err, 200, "login "+kind); err != nil {
		return "", err
	}
	var out struct {
		AccessToken string `json:"access_token"`
	}
	_ = json.Unmarshal(b, &out)
	return out.AccessToken, nil
}

// currentTerm is the current version of purpose's consent term.
func currentTerm(base, purpose string) (string, error) {
	st, b, err := call("GET", base+"/v1/consent-terms/"+purpose, "", nil, nil)
	if b, err = must(st, b, err, 200, "read the "+purpose+" term"); err != nil {
		return "", err
	}
	var out struct {
		Version string `json:"version"`
	}
	_ = json.Unmarshal(b, &out)
	return out.Version, nil
}

func signUp(base, path, kind string, body map[string]any) (id string, err error) {
	st, b, err := call("POST", base+path, "", body, nil)
	if b, err = must(st, b, err, 201, "sign up "+kind); err != nil {
		return "", err
	}
	var out struct {
		ID string `json:"id"`
	}
	_ = json.Unmarshal(b, &out)
	return out.ID, nil
}

func availability() map[string]any {
	var weekly []map[string]any
	for _, d := range []string{"sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"} {
		weekly = append(weekly, map[string]any{"weekday": d, "start": "00:00", "end": "24:00", "mode": "telemedicine"})
	}
	return map[string]any{"time_zone": "America/Sao_Paulo", "slot_minutes": 15, "min_notice_hours": 2, "horizon_days": 90, "weekly": weekly, "exceptions": []any{}}
}

// parallel runs fn(i) for i in [0, n) on w workers and returns the first error.
func parallel(n, w int, fn func(i int) error) error {
	var next atomic.Int64
	var first error
	var mu sync.Mutex
	var wg sync.WaitGroup
	for k := 0; k < w; k++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1) - 1)
				if i >= n {
					return
				}
				if err := fn(i); err != nil {
					mu.Lock()
					if first == nil {
						first = err
					}
					mu.Unlock()
					return
				}
			}
		}()
	}
	wg.Wait()
	return first
}
