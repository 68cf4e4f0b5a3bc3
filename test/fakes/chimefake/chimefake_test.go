package chimefake_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"github.com/multisaude/multisaude/test/fakes/chimefake"
)

// send signs body for method path with the fake's credentials, lets tamper
// change the request after signing, and returns the status, error type and body.
func send(t *testing.T, f *chimefake.Server, method, path, body string, tamper func(*http.Request)) (int, string, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, f.URL()+path, bytes.NewReader([]byte(body)))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	sum := sha256.Sum256([]byte(body))
	creds := aws.Credentials{AccessKeyID: chimefake.AccessKeyID, SecretAccessKey: chimefake.SecretAccessKey}
	if err := v4.NewSigner().SignHTTP(context.Background(), creds, req, hex.EncodeToString(sum[:]), "chime", chimefake.Region, time.Now()); err != nil {
		t.Fatal(err)
	}
	if tamper != nil {
		tamper(req)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header.Get("X-Amzn-Errortype"), raw
}

func TestSignatureIsVerified(t *testing.T) {
	f := chimefake.New()
	defer f.Close()
	const good = `{"ClientRequestToken":"tok-1","ExternalMeetingId":"appt-1","MediaRegion":"sa-east-1"}`
	if st, typ, raw := send(t, f, "POST", "/meetings", good, nil); st != 200 {
		t.Fatalf("signed request: %d %s %s", st, typ, raw)
	}
	tampered := []struct {
		name   string
		tamper func(*http.Request)
	}{
		{"body changed", func(r *http.Request) {
			b := []byte(`{"ClientRequestToken":"tok-2","ExternalMeetingId":"appt-1","MediaRegion":"sa-east-1"}`)
			r.Body, r.ContentLength = io.NopCloser(bytes.NewReader(b)), int64(len(b))
		}},
		{"path changed", func(r *http.Request) { r.URL.Path = "/meetings/00000000-0000-4000-8000-000000000000" }},
		{"date changed", func(r *http.Request) {
			r.Header.Set("X-Amz-Date", time.Now().Add(-time.Minute).UTC().Format("20060102T150405Z"))
		}},
		{"signed header changed", func(r *http.Request) { r.Header.Set("Content-Type", "text/plain") }},
	}
	for _, c := range tampered {
		if st, typ, _ := send(t, f, "POST", "/meetings", good, c.tamper); st != 403 || typ != "InvalidSignatureException" {
			t.Errorf("%s: %d %s, want 403 InvalidSignatureException", c.name, st, typ)
		}
	}
}

func TestShapesOfTheReference(t *testing.T) {
	f := chimefake.New()
	defer f.Close()
	for _, c := range []struct{ name, body string }{
		{"unknown field", `{"ClientRequestToken":"tok-1","MediaRegion":"sa-east-1","MeetingID":"x"}`},
		{"no MediaRegion", `{"ClientRequestToken":"tok-1"}`},
		{"no token", `{"MediaRegion":"sa-east-1"}`},
		{"bad region", `{"ClientRequestToken":"tok-1","MediaRegion":"mars-1"}`},
		{"token pattern", `{"ClientRequestToken":"tok 1!","MediaRegion":"sa-east-1"}`},
		{"short external ID", `{"ClientRequestToken":"tok-1","ExternalMeetingId":"a","MediaRegion":"sa-east-1"}`},
		{"not JSON", `ClientRequestToken=tok-1`},
	} {
		if st, typ, _ := send(t, f, "POST", "/meetings", c.body, nil); st != 400 || typ != "BadRequestException" {
			t.Errorf("%s: %d %s, want 400 BadRequestException", c.name, st, typ)
		}
	}
	st, _, raw := send(t, f, "POST", "/meetings", `{"ClientRequestToken":"tok-1","ExternalMeetingId":"appt-1","MediaRegion":"sa-east-1"}`, nil)
	var m struct{ Meeting chimefake.Meeting }
	if st != 200 || json.Unmarshal(raw, &m) != nil || m.Meeting.MeetingId == "" || m.Meeting.MediaPlacement.SignalingUrl == "" {
		t.Fatalf("CreateMeeting: %d %s", st, raw)
	}
	id := m.Meeting.MeetingId
	if st, typ, _ := send(t, f, "POST", "/meetings/"+id+"/attendees", `{"ExternalUserId":"a"}`, nil); st != 400 {
		t.Errorf("short ExternalUserId: %d %s", st, typ)
	}
	st, _, raw = send(t, f, "POST", "/meetings/"+id+"/attendees", `{"ExternalUserId":"acc-1"}`, nil)
	var a struct{ Attendee chimefake.Attendee }
	if st != 200 || json.Unmarshal(raw, &a) != nil || a.Attendee.JoinToken == "" {
		t.Fatalf("CreateAttendee: %d %s", st, raw)
	}
	if err := f.Admits(id, a.Attendee.AttendeeId, a.Attendee.JoinToken); err != nil {
		t.Fatal(err)
	}
	if st, _, _ := send(t, f, "DELETE", "/meetings/"+id, "", nil); st != 204 {
		t.Errorf("DeleteMeeting: %d, want 204", st)
	}
	if st, typ, _ := send(t, f, "DELETE", "/meetings/"+id, "", nil); st != 404 || typ != "NotFoundException" {
		t.Errorf("DeleteMeeting again: %d %s, want 404 NotFoundException", st, typ)
	}
	if f.Admits(id, a.Attendee.AttendeeId, a.Attendee.JoinToken) == nil {
		t.Error("attendee admitted after DeleteMeeting")
	}
	if st, _, _ := send(t, f, "PUT", "/meetings/"+id, "{}", nil); st != 404 {
		t.Errorf("unknown operation: %d", st)
	}
}
