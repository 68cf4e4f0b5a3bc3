// Package chimefake is an in-process Amazon Chime SDK Meetings server (the REST
// API at meetings-chime.<region>.amazonaws.com) for the chimevideo adapter's
// tests. It verifies each request's SigV4 signature against known credentials
// (service "chime"), checks the paths, methods and JSON bodies of the API
// reference (unknown fields, lengths and patterns are 400s as at AWS), keeps
// meetings and attendees in memory and answers with the reference's shapes and
// error types. It can be told to fail (429, 503, ...) or to be slow.
//
// Idempotency: CreateMeeting with the ClientRequestToken of a live meeting
// returns that meeting; once the meeting is deleted the token creates a new one.
// The reference does not say which AWS does after a meeting ends, so
// SetStickyTokens makes the fake keep answering a used token with its ended
// meeting (which GetMeeting and CreateAttendee then call not found).
package chimefake

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

// The credentials and region the fake accepts.
const (
	AccessKeyID     = "AKIACHIMEFAKETEST001"
	SecretAccessKey = "chimefake/secret/access/key/for/tests/only0"
	Region          = "us-east-1"
	Service         = "chime"
)

// Credentials returns the static credentials the fake accepts.
func Credentials() aws.CredentialsProvider {
	return aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
		return aws.Credentials{AccessKeyID: AccessKeyID, SecretAccessKey: SecretAccessKey, Source: "chimefake"}, nil
	})
}

// MediaRegions are the media regions CreateMeeting accepts.
var MediaRegions = []string{
	"af-south-1", "ap-northeast-1", "ap-northeast-2", "ap-south-1", "ap-southeast-1", "ap-southeast-2",
	"ca-central-1", "eu-central-1", "eu-north-1", "eu-south-1", "eu-west-1", "eu-west-2", "eu-west-3",
	"sa-east-1", "us-east-1", "us-east-2", "us-west-1", "us-west-2",
}

// Meeting is the API's Meeting shape (the fields the fake fills).
type Meeting struct {
	MeetingId         string         `json:"MeetingId"`
	ExternalMeetingId string         `json:"ExternalMeetingId,omitempty"`
	MediaRegion       string         `json:"MediaRegion"`
	MediaPlacement    MediaPlacement `json:"MediaPlacement"`
	MeetingArn        string         `json:"MeetingArn"`
}

// MediaPlacement is the API's MediaPlacement shape.
type MediaPlacement struct {
	AudioHostUrl      string `json:"AudioHostUrl"`
	AudioFallbackUrl  string `json:"AudioFallbackUrl"`
	SignalingUrl      string `json:"SignalingUrl"`
	TurnControlUrl    string `json:"TurnControlUrl"`
	ScreenDataUrl     string `json:"ScreenDataUrl"`
	ScreenSharingUrl  string `json:"ScreenSharingUrl"`
	ScreenViewingUrl  string `json:"ScreenViewingUrl"`
	EventIngestionUrl string `json:"EventIngestionUrl"`
}

// Attendee is the API's Attendee shape.
type Attendee struct {
	ExternalUserId string `json:"ExternalUserId"`
	AttendeeId     string `json:"AttendeeId"`
	JoinToken      string `json:"JoinToken"`
}

type meeting struct {
	Meeting
	token     string
	attendees map[string]Attendee // by AttendeeId
}

type failure struct {
	status int
	code   string
	left   int
}

// Server is the fake. Create it with New.
type Server struct {
	srv *httptest.Server

	mu       sync.Mutex
	meetings map[string]*meeting // live meetings by MeetingId
	byToken  map[string]string   // ClientRequestToken -> live MeetingId
	ended    map[string]*meeting // ClientRequestToken -> its ended meeting, when sticky
	sticky   bool
	fail     *failure
	delay    time.Duration
	calls    map[string]int // "CreateMeeting" -> count of accepted calls
	refused  int            // requests refused for their signature
}

// New starts the fake; Close stops it.
func New() *Server {
	s := &Server{meetings: map[string]*meeting{}, byToken: map[string]string{}, ended: map[string]*meeting{}, calls: map[string]int{}}
	s.srv = httptest.NewServer(s)
	return s
}

// URL is the endpoint to give the adapter.
func (s *Server) URL() string { return s.srv.URL }

// Close stops the server.
func (s *Server) Close() { s.srv.Close() }

// FailNext makes the next n signed requests answer status with the error type
// code (e.g. 429 "ThrottlingException", 503 "ServiceUnavailableException").
func (s *Server) FailNext(n, status int, code string) {
	s.mu.Lock()
	s.fail = &failure{status: status, code: code, left: n}
	s.mu.Unlock()
}

// SetStickyTokens makes CreateMeeting answer a ClientRequestToken whose meeting
// was deleted with that ended meeting instead of creating a new one.
func (s *Server) SetStickyTokens(on bool) {
	s.mu.Lock()
	s.sticky = on
	s.mu.Unlock()
}

// SetDelay makes every answer wait d first (to test timeouts).
func (s *Server) SetDelay(d time.Duration) {
	s.mu.Lock()
	s.delay = d
	s.mu.Unlock()
}

// Calls counts the accepted calls of an operation ("CreateMeeting", "CreateAttendee", "DeleteMeeting", "GetMeeting").
func (s *Server) Calls(op string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.calls[op]
}

// Refused counts the requests refused for a missing or wrong signature.
func (s *Server) Refused() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.refused
}

// LiveMeetings counts the meetings not deleted.
func (s *Server) LiveMeetings() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.meetings)
}

// Admits reports whether the Chime media service would let the holder of
// joinToken into meetingID as attendeeID now: the meeting lives, the attendee
// belongs to it and the token is the attendee's. Nil means admitted.
func (s *Server) Admits(meetingID, attendeeID, joinToken string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	m, ok := s.meetings[meetingID]
	if !ok {
		return fmt.Errorf("meeting %s does not exist or has ended", meetingID)
	}
	a, ok := m.attendees[attendeeID]
	if !ok {
		return fmt.Errorf("attendee %s is not in meeting %s", attendeeID, meetingID)
	}
	if a.JoinToken != joinToken || joinToken == "" {
		return fmt.Errorf("join token of attendee %s does not match", attendeeID)
	}
	return nil
}

var (
	uuidRE        = regexp.MustCompile(`^[a-fA-F0-9]{8}(?:-[a-fA-F0-9]{4}){3}-[a-fA-F0-9]{12}$`)
	requestTokRE  = regexp.MustCompile(`^[-_a-zA-Z0-9]*$`)
	externalIDRE  = regexp.MustCompile(`^[-_&@+=,(){}\[\]\/«».:|'"#a-zA-Z0-9À-ÿ\s]*$`)
	meetingPathRE = regexp.MustCompile(`^/meetings/([^/]+)$`)
	attendeesRE   = regexp.MustCompile(`^/meetings/([^/]+)/attendees$`)
)

type apiError struct {
	status int
	code   string
	msg    string
}

func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err != nil {
		writeErr(w, &apiError{400, "BadRequestException", "could not read the body"})
		return
	}
	s.mu.Lock()
	delay := s.delay
	s.mu.Unlock()
	if delay > 0 { // after reading the body, so a client that gives up cancels r's context
		select {
		case <-time.After(delay):
		case <-r.Context().Done():
			return
		}
	}
	if e := verifySignature(r, body); e != nil {
		s.mu.Lock()
		s.refused++
		s.mu.Unlock()
		writeErr(w, e)
		return
	}
	s.mu.Lock()
	if f := s.fail; f != nil && f.left > 0 {
		f.left--
		s.mu.Unlock()
		writeErr(w, &apiError{f.status, f.code, "injected failure"})
		return
	}
	s.mu.Unlock()

	path := r.URL.Path
	var out any
	status := http.StatusOK
	var e *apiError
	switch {
	case path == "/meetings" && r.Method == http.MethodPost:
		out, e = s.createMeeting(body)
	case attendeesRE.MatchString(path) && r.Method == http.MethodPost:
		out, e = s.createAttendee(attendeesRE.FindStringSubmatch(path)[1], body)
	case meetingPathRE.MatchString(path) && r.Method == http.MethodGet:
		out, e = s.getMeeting(meetingPathRE.FindStringSubmatch(path)[1])
	case meetingPathRE.MatchString(path) && r.Method == http.MethodDelete:
		e = s.deleteMeeting(meetingPathRE.FindStringSubmatch(path)[1])
		status = http.StatusNoContent
	default:
		e = &apiError{404, "NotFoundException", "no such operation: " + r.Method + " " + path}
	}
	if e != nil {
		writeErr(w, e)
		return
	}
	w.Header().Set("x-amzn-RequestId", newUUID())
	if out == nil {
		w.WriteHeader(status)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(out)
}

func writeErr(w http.ResponseWriter, e *apiError) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("x-amzn-ErrorType", e.code)
	w.Header().Set("x-amzn-RequestId", newUUID())
	w.WriteHeader(e.status)
	_ = json.NewEncoder(w).Encode(map[string]string{"Code": strings.TrimSuffix(e.code, "Exception"), "Message": e.msg})
}

// decodeStrict decodes body into v, refusing unknown fields and trailing data.
func decodeStrict(body []byte, v any) *apiError {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return &apiError{400, "BadRequestException", "invalid request body: " + err.Error()}
	}
	if dec.More() {
		return &apiError{400, "BadRequestException", "trailing data after the request body"}
	}
	return nil
}

func checkLen(field, v string, min, max int, re *regexp.Regexp) *apiError {
	n := utf8.RuneCountInString(v)
	if n < min || n > max {
		return &apiError{400, "BadRequestException", fmt.Sprintf("%s must be %d to %d characters", field, min, max)}
	}
	if re != nil && !re.MatchString(v) {
		return &apiError{400, "BadRequestException", field + " does not match its pattern"}
	}
	return nil
}

type createMeetingInput struct {
	ClientRequestToken         *string         `json:"ClientRequestToken"`
	ExternalMeetingId          *string         `json:"ExternalMeetingId"`
	MediaRegion                *string         `json:"MediaRegion"`
	MeetingHostId              *string         `json:"MeetingHostId"`
	MeetingFeatures            json.RawMessage `json:"MeetingFeatures"`
	NotificationsConfiguration json.RawMessage `json:"NotificationsConfiguration"`
	PrimaryMeetingId           *string         `json:"PrimaryMeetingId"`
	Tags                       json.RawMessage `json:"Tags"`
	TenantIds                  []string        `json:"TenantIds"`
}

func (s *Server) createMeeting(body []byte) (any, *apiError) {
	var in createMeetingInput
	if e := decodeStrict(body, &in); e != nil {
		return nil, e
	}
	if in.ClientRequestToken == nil || in.MediaRegion == nil {
		return nil, &apiError{400, "BadRequestException", "ClientRequestToken and MediaRegion are required"}
	}
	if e := checkLen("ClientRequestToken", *in.ClientRequestToken, 2, 64, requestTokRE); e != nil {
		return nil, e
	}
	if !slices.Contains(MediaRegions, *in.MediaRegion) {
		return nil, &apiError{400, "BadRequestException", "MediaRegion is not a supported region"}
	}
	ext := ""
	if in.ExternalMeetingId != nil {
		ext = *in.ExternalMeetingId
		if e := checkLen("ExternalMeetingId", ext, 2, 64, externalIDRE); e != nil {
			return nil, e
		}
		if strings.HasPrefix(strings.ToLower(ext), "aws:") {
			return nil, &apiError{400, "BadRequestException", "ExternalMeetingId may not begin with aws:"}
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls["CreateMeeting"]++
	if id, ok := s.byToken[*in.ClientRequestToken]; ok {
		m := s.meetings[id]
		if m.ExternalMeetingId != ext || m.MediaRegion != *in.MediaRegion {
			return nil, &apiError{409, "ConflictException", "ClientRequestToken reused with other parameters"}
		}
		return map[string]any{"Meeting": m.Meeting}, nil
	}
	if m, ok := s.ended[*in.ClientRequestToken]; ok && s.sticky {
		return map[string]any{"Meeting": m.Meeting}, nil
	}
	id := newUUID()
	region := *in.MediaRegion
	m := &meeting{
		Meeting: Meeting{
			MeetingId:         id,
			ExternalMeetingId: ext,
			MediaRegion:       region,
			MeetingArn:        "arn:aws:chime:" + Region + ":000000000000:meeting/" + id,
			MediaPlacement: MediaPlacement{
				AudioHostUrl:      id[:8] + ".k.m1.ue1.app.chime.aws:3478",
				AudioFallbackUrl:  "wss://haxrp.m1.ue1.app.chime.aws:443/calls/" + id,
				SignalingUrl:      "wss://signal.m1.ue1.app.chime.aws/control/" + id,
				TurnControlUrl:    "https://2713.cell.us-east-1.meetings.chime.aws/v2/turn_sessions",
				ScreenDataUrl:     "wss://bitpw.m1.ue1.app.chime.aws:443/v2/screen/" + id,
				ScreenSharingUrl:  "wss://bitpw.m1.ue1.app.chime.aws:443/v2/screen/" + id,
				ScreenViewingUrl:  "wss://bitpw.m1.ue1.app.chime.aws:443/ws/connect?passcode=null&viewer_uuid=null&X-BitHub-Call-Id=" + id,
				EventIngestionUrl: "https://data.svc.ue1.ingest.chime.aws/v1/client-events",
			},
		},
		token:     *in.ClientRequestToken,
		attendees: map[string]Attendee{},
	}
	s.meetings[id] = m
	s.byToken[m.token] = id
	return map[string]any{"Meeting": m.Meeting}, nil
}

type createAttendeeInput struct {
	ExternalUserId *string         `json:"ExternalUserId"`
	Capabilities   json.RawMessage `json:"Capabilities"`
}

func (s *Server) createAttendee(meetingID string, body []byte) (any, *apiError) {
	if !uuidRE.MatchString(meetingID) {
		return nil, &apiError{400, "BadRequestException", "MeetingId does not match its pattern"}
	}
	var in createAttendeeInput
	if e := decodeStrict(body, &in); e != nil {
		return nil, e
	}
	if in.ExternalUserId == nil {
		return nil, &apiError{400, "BadRequestException", "ExternalUserId is required"}
	}
	if e := checkLen("ExternalUserId", *in.ExternalUserId, 2, 64, nil); e != nil {
		return nil, e
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	m, ok := s.meetings[meetingID]
	if !ok {
		return nil, &apiError{404, "NotFoundException", "The requested resource was not found"}
	}
	s.calls["CreateAttendee"]++
	var tok [48]byte
	_, _ = rand.Read(tok[:])
	a := Attendee{ExternalUserId: *in.ExternalUserId, AttendeeId: newUUID(), JoinToken: base64.RawURLEncoding.EncodeToString(tok[:])}
	m.attendees[a.AttendeeId] = a
	return map[string]any{"Attendee": a}, nil
}

func (s *Server) getMeeting(meetingID string) (any, *apiError) {
	if !uuidRE.MatchString(meetingID) {
		return nil, &apiError{400, "BadRequestException", "MeetingId does not match its pattern"}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	m, ok := s.meetings[meetingID]
	if !ok {
		return nil, &apiError{404, "NotFoundException", "The requested resource was not found"}
	}
	s.calls["GetMeeting"]++
	return map[string]any{"Meeting": m.Meeting}, nil
}

func (s *Server) deleteMeeting(meetingID string) *apiError {
	if !uuidRE.MatchString(meetingID) {
		return &apiError{400, "BadRequestException", "MeetingId does not match its pattern"}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	m, ok := s.meetings[meetingID]
	if !ok {
		return &apiError{404, "NotFoundException", "The requested resource was not found"}
	}
	s.calls["DeleteMeeting"]++
	delete(s.meetings, meetingID)
	delete(s.byToken, m.token)
	s.ended[m.token] = m
	return nil
}

// verifySignature recomputes r's SigV4 signature with the known credentials
// and the signer, from the headers the request says it signed, and compares.
func verifySignature(r *http.Request, body []byte) *apiError {
	auth := r.Header.Get("Authorization")
	if auth == "" {
		return &apiError{403, "MissingAuthenticationTokenException", "Missing Authentication Token"}
	}
	const algo = "AWS4-HMAC-SHA256 "
	if !strings.HasPrefix(auth, algo) {
		return &apiError{403, "IncompleteSignatureException", "unsupported authorization algorithm"}
	}
	fields := map[string]string{}
	for _, part := range strings.Split(strings.TrimPrefix(auth, algo), ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(part), "=")
		if !ok {
			return &apiError{403, "IncompleteSignatureException", "malformed Authorization header"}
		}
		fields[k] = v
	}
	scope := strings.Split(fields["Credential"], "/")
	if len(scope) != 5 || fields["SignedHeaders"] == "" || fields["Signature"] == "" {
		return &apiError{403, "IncompleteSignatureException", "Authorization header lacks Credential, SignedHeaders or Signature"}
	}
	if scope[0] != AccessKeyID {
		return &apiError{403, "UnrecognizedClientException", "The security token included in the request is invalid."}
	}
	if scope[2] != Region || scope[3] != Service || scope[4] != "aws4_request" {
		return &apiError{403, "InvalidSignatureException", "Credential should be scoped to a valid region and to service 'chime'"}
	}
	at, err := time.Parse("20060102T150405Z", r.Header.Get("X-Amz-Date"))
	if err != nil || scope[1] != at.Format("20060102") {
		return &apiError{403, "IncompleteSignatureException", "X-Amz-Date is missing or does not match the credential scope"}
	}
	if d := time.Since(at); d > 5*time.Minute || d < -5*time.Minute {
		return &apiError{403, "InvalidSignatureException", "Signature expired"}
	}
	signed := strings.Split(fields["SignedHeaders"], ";")
	if !slices.Contains(signed, "host") || !slices.Contains(signed, "x-amz-date") {
		return &apiError{403, "InvalidSignatureException", "host and x-amz-date must be signed"}
	}
	again, err := http.NewRequest(r.Method, "http://"+r.Host+r.URL.RequestURI(), bytes.NewReader(body))
	if err != nil {
		return &apiError{403, "InvalidSignatureException", "cannot rebuild the request"}
	}
	again.ContentLength = 0
	for _, h := range signed {
		switch h {
		case "host":
		case "content-length":
			again.ContentLength = int64(len(body))
		default:
			for _, v := range r.Header.Values(h) {
				again.Header.Add(h, v)
			}
		}
	}
	sum := sha256.Sum256(body)
	creds := aws.Credentials{AccessKeyID: AccessKeyID, SecretAccessKey: SecretAccessKey}
	if err := v4.NewSigner().SignHTTP(context.Background(), creds, again, hex.EncodeToString(sum[:]), Service, Region, at); err != nil {
		return &apiError{403, "InvalidSignatureException", "cannot recompute the signature"}
	}
	if again.Header.Get("Authorization") != auth {
		return &apiError{403, "InvalidSignatureException", "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method."}
	}
	return nil
}

func newUUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b[:])
	return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}
