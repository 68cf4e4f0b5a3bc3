// Package schedulerfake is an in-process Amazon EventBridge Scheduler speaking
// its REST JSON API (CreateSchedule, UpdateSchedule, DeleteSchedule,
// GetSchedule, CreateScheduleGroup) for the ebscheduler adapter's tests. When a
// one-time at(...) schedule comes due it sends the target's Input to the target
// SQS queue of an sqsfake server, then deletes the schedule if its
// ActionAfterCompletion is DELETE. Recurring rate/cron schedules are stored but
// never fire.
package schedulerfake

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/multisaude/multisaude/test/fakes/sqsfake"
)

// Server is the fake.
type Server struct {
	sqs *sqsfake.Server
	srv *httptest.Server

	mu        sync.Mutex
	groups    map[string]time.Time
	schedules map[string]*schedule // by group + "/" + name
	fired     int
	failures  int

	stop chan struct{}
	done chan struct{}
}

type target struct {
	Arn              string          `json:"Arn"`
	RoleArn          string          `json:"RoleArn"`
	Input            string          `json:"Input,omitempty"`
	SqsParameters    *sqsParameters  `json:"SqsParameters,omitempty"`
	RetryPolicy      json.RawMessage `json:"RetryPolicy,omitempty"`
	DeadLetterConfig json.RawMessage `json:"DeadLetterConfig,omitempty"`
}

type sqsParameters struct {
	MessageGroupId string `json:"MessageGroupId,omitempty"`
}

type flexibleWindow struct {
	Mode                   string `json:"Mode"`
	MaximumWindowInMinutes *int   `json:"MaximumWindowInMinutes,omitempty"`
}

// scheduleInput is the body of CreateSchedule and UpdateSchedule.
type scheduleInput struct {
	ActionAfterCompletion      string          `json:"ActionAfterCompletion,omitempty"`
	ClientToken                string          `json:"ClientToken,omitempty"`
	Description                string          `json:"Description,omitempty"`
	FlexibleTimeWindow         *flexibleWindow `json:"FlexibleTimeWindow,omitempty"`
	GroupName                  string          `json:"GroupName,omitempty"`
	KmsKeyArn                  string          `json:"KmsKeyArn,omitempty"`
	ScheduleExpression         string          `json:"ScheduleExpression"`
	ScheduleExpressionTimezone string          `json:"ScheduleExpressionTimezone,omitempty"`
	State                      string          `json:"State,omitempty"`
	Target                     *target         `json:"Target,omitempty"`
}

type schedule struct {
	scheduleInput
	name     string
	at       time.Time // zero for recurring expressions
	created  time.Time
	modified time.Time
}

// New starts the fake, delivering to queues of sqs; Close stops it.
func New(sqs *sqsfake.Server) *Server {
	s := &Server{
		sqs: sqs, groups: map[string]time.Time{"default": time.Now()}, schedules: map[string]*schedule{},
		stop: make(chan struct{}), done: make(chan struct{}),
	}
	s.srv = httptest.NewServer(s)
	go s.run()
	return s
}

// URL is the endpoint to give the SDK.
func (s *Server) URL() string { return s.srv.URL }

// Close stops firing and the server.
func (s *Server) Close() {
	close(s.stop)
	<-s.done
	s.srv.Close()
}

// Len returns how many schedules exist.
func (s *Server) Len() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.schedules)
}

// Fired returns how many schedules have fired, and how many of those could not deliver.
func (s *Server) Fired() (fired, failed int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.fired, s.failures
}

func (s *Server) run() {
	defer close(s.done)
	t := time.NewTicker(20 * time.Millisecond)
	defer t.Stop()
	for {
		select {
		case <-s.stop:
			return
		case now := <-t.C:
			s.fire(now)
		}
	}
}

// fire delivers every due one-time schedule.
func (s *Server) fire(now time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for k, sc := range s.schedules {
		if sc.at.IsZero() || sc.at.After(now) || sc.State == "DISABLED" {
			continue
		}
		group := ""
		if sc.Target.SqsParameters != nil {
			group = sc.Target.SqsParameters.MessageGroupId
		}
		s.fired++
		if !strings.HasPrefix(sc.Target.Arn, "arn:aws:sqs:") {
			s.failures++
			slog.Warn("schedulerfake: only SQS targets are delivered", "target", sc.Target.Arn)
		} else if err := s.sqs.Deliver(sc.Target.Arn, sc.Target.Input, group); err != nil {
			s.failures++
			slog.Warn("schedulerfake: delivery failed", "schedule", k, "error", err.Error())
		}
		if sc.ActionAfterCompletion == "DELETE" {
			delete(s.schedules, k)
		} else {
			sc.at = time.Time{} // completed: a one-time schedule fires once
		}
	}
}

type apiError struct {
	status int
	typ    string
	msg    string
}

func writeErr(w http.ResponseWriter, e apiError) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Amzn-ErrorType", e.typ)
	w.WriteHeader(e.status)
	_ = json.NewEncoder(w).Encode(map[string]string{"Message": e.msg})
}

func invalid(format string, a ...any) *apiError {
	return &apiError{http.StatusBadRequest, "ValidationException", fmt.Sprintf(format, a...)}
}

func notFound(format string, a ...any) *apiError {
	return &apiError{http.StatusNotFound, "ResourceNotFoundException", fmt.Sprintf(format, a...)}
}

var nameRE = regexp.MustCompile(`^[0-9a-zA-Z\-_.]{1,64}$`)

func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	var (
		out any
		err *apiError
	)
	switch {
	case strings.HasPrefix(r.URL.Path, "/schedules/"):
		name := strings.TrimPrefix(r.URL.Path, "/schedules/")
		switch r.Method {
		case http.MethodPost:
			out, err = s.put(r, name, true)
		case http.MethodPut:
			out, err = s.put(r, name, false)
		case http.MethodGet:
			out, err = s.get(r, name)
		case http.MethodDelete:
			out, err = s.delete(r, name)
		default:
			err = &apiError{http.StatusMethodNotAllowed, "ValidationException", "method not allowed"}
		}
	case strings.HasPrefix(r.URL.Path, "/schedule-groups/") && r.Method == http.MethodPost:
		out, err = s.createGroup(strings.TrimPrefix(r.URL.Path, "/schedule-groups/"))
	default:
		err = &apiError{http.StatusNotFound, "UnknownOperationException", r.Method + " " + r.URL.Path + " is not implemented by schedulerfake"}
	}
	if err != nil {
		writeErr(w, *err)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(out)
}

func arn(group, name string) string {
	return "arn:aws:scheduler:" + sqsfake.Region + ":" + sqsfake.Account + ":schedule/" + group + "/" + name
}

func groupOf(name string) string {
	if name == "" {
		return "default"
	}
	return name
}

var atRE = regexp.MustCompile(`^at\((\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})\)$`)

func (s *Server) put(r *http.Request, name string, create bool) (any, *apiError) {
	if !nameRE.MatchString(name) {
		return nil, invalid("1 validation error detected: Value '%s' at 'name' failed to satisfy constraint: Member must satisfy regular expression pattern: ^[0-9a-zA-Z-_.]+$", name)
	}
	var in scheduleInput
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
		return nil, invalid("malformed request body: %v", err)
	}
	if in.Target == nil || in.Target.Arn == "" || in.Target.RoleArn == "" {
		return nil, invalid("Target with Arn and RoleArn is required")
	}
	if in.FlexibleTimeWindow == nil || (in.FlexibleTimeWindow.Mode != "OFF" && in.FlexibleTimeWindow.Mode != "FLEXIBLE") {
		return nil, invalid("FlexibleTimeWindow with Mode OFF or FLEXIBLE is required")
	}
	if in.ActionAfterCompletion != "" && in.ActionAfterCompletion != "NONE" && in.ActionAfterCompletion != "DELETE" {
		return nil, invalid("ActionAfterCompletion must be NONE or DELETE")
	}
	if len(in.Target.Input) > 8192 {
		return nil, invalid("Target.Input must be at most 8192 characters")
	}
	var at time.Time
	if m := atRE.FindStringSubmatch(in.ScheduleExpression); m != nil {
		loc := time.UTC
		if tz := in.ScheduleExpressionTimezone; tz != "" {
			l, err := time.LoadLocation(tz)
			if err != nil {
				return nil, invalid("Invalid ScheduleExpressionTimezone %s", tz)
			}
			loc = l
		}
		t, err := time.ParseInLocation("2006-01-02T15:04:05", m[1], loc)
		if err != nil {
			return nil, invalid("Invalid Schedule Expression %s.", in.ScheduleExpression)
		}
		at = t
	} else if !strings.HasPrefix(in.ScheduleExpression, "rate(") && !strings.HasPrefix(in.ScheduleExpression, "cron(") {
		return nil, invalid("Invalid Schedule Expression %s.", in.ScheduleExpression)
	}
	group := groupOf(in.GroupName)
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.groups[group]; !ok {
		return nil, notFound("Schedule group %s does not exist.", group)
	}
	key := group + "/" + name
	old, exists := s.schedules[key]
	now := time.Now()
	switch {
	case create && exists:
		return nil, &apiError{http.StatusConflict, "ConflictException", "Schedule " + name + " already exists."}
	case !create && !exists:
		return nil, notFound("Schedule %s does not exist.", name)
	}
	sc := &schedule{scheduleInput: in, name: name, at: at, created: now, modified: now}
	sc.GroupName = group
	if sc.State == "" {
		sc.State = "ENABLED"
	}
	if sc.ActionAfterCompletion == "" {
		sc.ActionAfterCompletion = "NONE"
	}
	if exists {
		sc.created = old.created
	}
	s.schedules[key] = sc
	return map[string]string{"ScheduleArn": arn(group, name)}, nil
}

func (s *Server) get(r *http.Request, name string) (any, *apiError) {
	group := groupOf(r.URL.Query().Get("groupName"))
	s.mu.Lock()
	defer s.mu.Unlock()
	sc, ok := s.schedules[group+"/"+name]
	if !ok {
		return nil, notFound("Schedule %s does not exist.", name)
	}
	return map[string]any{
		"Arn":                        arn(group, name),
		"Name":                       name,
		"GroupName":                  group,
		"ActionAfterCompletion":      sc.ActionAfterCompletion,
		"Description":                sc.Description,
		"FlexibleTimeWindow":         sc.FlexibleTimeWindow,
		"ScheduleExpression":         sc.ScheduleExpression,
		"ScheduleExpressionTimezone": sc.ScheduleExpressionTimezone,
		"State":                      sc.State,
		"Target":                     sc.Target,
		"CreationDate":               float64(sc.created.UnixMilli()) / 1000,
		"LastModificationDate":       float64(sc.modified.UnixMilli()) / 1000,
	}, nil
}

func (s *Server) delete(r *http.Request, name string) (any, *apiError) {
	group := groupOf(r.URL.Query().Get("groupName"))
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.schedules[group+"/"+name]; !ok {
		return nil, notFound("Schedule %s does not exist.", name)
	}
	delete(s.schedules, group+"/"+name)
	return struct{}{}, nil
}

func (s *Server) createGroup(name string) (any, *apiError) {
	if !nameRE.MatchString(name) {
		return nil, invalid("invalid group name %q", name)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.groups[name]; ok {
		return nil, &apiError{http.StatusConflict, "ConflictException", "Schedule group " + name + " already exists."}
	}
	s.groups[name] = time.Now()
	return map[string]string{"ScheduleGroupArn": "arn:aws:scheduler:" + sqsfake.Region + ":" + sqsfake.Account + ":schedule-group/" + name}, nil
}
