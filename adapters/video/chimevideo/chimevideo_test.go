package chimevideo_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/multisaude/multisaude/adapters/video/chimevideo"
	"github.com/multisaude/multisaude/core/kernel"
	"github.com/multisaude/multisaude/ports"
	"github.com/multisaude/multisaude/test/conformance"
	"github.com/multisaude/multisaude/test/fakes/chimefake"
)

func newFake(t *testing.T) *chimefake.Server {
	t.Helper()
	f := chimefake.New()
	t.Cleanup(f.Close)
	return f
}

func newRooms(t *testing.T, f *chimefake.Server, edit ...func(*chimevideo.Config)) *chimevideo.Rooms {
	t.Helper()
	cfg := chimevideo.Config{Region: chimefake.Region, MediaRegion: "sa-east-1", Endpoint: f.URL(), Credentials: chimefake.Credentials()}
	for _, e := range edit {
		e(&cfg)
	}
	r, err := chimevideo.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func admits(f *chimefake.Server) func(t *testing.T, cred ports.VideoCredential) error {
	return func(t *testing.T, cred ports.VideoCredential) error {
		if cred.Data[chimevideo.KeyJoinToken] != cred.Token || cred.Data[chimevideo.KeyMeetingID] != cred.RoomID {
			return errors.New("credential data disagrees with its token or room")
		}
		for _, k := range []string{chimevideo.KeyMediaRegion, chimevideo.KeyAudioHostURL, chimevideo.KeySignalingURL, chimevideo.KeyTurnControlURL} {
			if cred.Data[k] == "" {
				return errors.New("credential data lacks " + k)
			}
		}
		return f.Admits(cred.RoomID, cred.Data[chimevideo.KeyAttendeeID], cred.Token)
	}
}

func TestConformance(t *testing.T) {
	conformance.RunVideoRooms(t, func(t *testing.T) conformance.VideoHarness {
		f := newFake(t)
		return conformance.VideoHarness{Rooms: newRooms(t, f), Admits: admits(f)}
	})
}

// TestConformanceStickyTokens runs the suite against a Chime that keeps
// answering a used ClientRequestToken with its ended meeting.
func TestConformanceStickyTokens(t *testing.T) {
	conformance.RunVideoRooms(t, func(t *testing.T) conformance.VideoHarness {
		f := newFake(t)
		f.SetStickyTokens(true)
		return conformance.VideoHarness{Rooms: newRooms(t, f), Admits: admits(f)}
	})
}

func TestRecreateAfterEndStepsOverEndedMeetings(t *testing.T) {
	for _, sticky := range []bool{false, true} {
		f := newFake(t)
		f.SetStickyTokens(sticky)
		r := newRooms(t, f)
		sp := spec()
		seen := map[string]bool{}
		now := time.Now()
		for round := range 5 {
			room, err := r.CreateRoom(t.Context(), sp)
			if err != nil {
				t.Fatalf("sticky=%v round %d: %v", sticky, round, err)
			}
			if seen[room.RoomID] {
				t.Fatalf("sticky=%v round %d: CreateRoom answered the ended meeting %s", sticky, round, room.RoomID)
			}
			seen[room.RoomID] = true
			cred, err := r.Join(t.Context(), room, ports.VideoParticipant{AccountID: kernel.NewID()}, now, now.Add(time.Hour))
			if err != nil {
				t.Fatalf("sticky=%v round %d: Join: %v", sticky, round, err)
			}
			if err := admits(f)(t, cred); err != nil {
				t.Fatal(err)
			}
			if err := r.EndRoom(t.Context(), room); err != nil {
				t.Fatal(err)
			}
		}
		if f.LiveMeetings() != 0 {
			t.Errorf("sticky=%v: %d meetings left live", sticky, f.LiveMeetings())
		}
	}
}

func wantKind(t *testing.T, what string, err error, k kernel.Kind) {
	t.Helper()
	if got := kernel.KindOf(err); err == nil || got != k {
		t.Errorf("%s: got %v (kind %q), want kind %q", what, err, got, k)
	}
}

func spec() ports.VideoRoomSpec {
	start := time.Now().Add(time.Hour)
	return ports.VideoRoomSpec{AppointmentID: kernel.NewID(), Start: start, End: start.Add(30 * time.Minute)}
}

func TestRequestsSignedWithOtherCredentialsAreRefused(t *testing.T) {
	f := newFake(t)
	for _, c := range []struct {
		name  string
		creds aws.Credentials
	}{
		{"unknown key", aws.Credentials{AccessKeyID: "AKIAOTHERKEY00000000", SecretAccessKey: chimefake.SecretAccessKey}},
		{"wrong secret", aws.Credentials{AccessKeyID: chimefake.AccessKeyID, SecretAccessKey: "not-the-secret"}},
	} {
		r := newRooms(t, f, func(cfg *chimevideo.Config) {
			cfg.Credentials = aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) { return c.creds, nil })
		})
		before := f.Refused()
		_, err := r.CreateRoom(t.Context(), spec())
		wantKind(t, c.name, err, kernel.KindInternal)
		if f.Refused() != before+1 || f.Calls("CreateMeeting") != 0 {
			t.Errorf("%s: the fake did not refuse the request (refused %d→%d, meetings created %d)", c.name, before, f.Refused(), f.Calls("CreateMeeting"))
		}
	}
	// A request signed for another region is refused too.
	r := newRooms(t, f, func(cfg *chimevideo.Config) { cfg.Region = "eu-west-1" })
	_, err := r.CreateRoom(t.Context(), spec())
	wantKind(t, "other region", err, kernel.KindInternal)
	// An unsigned request is a 403 like AWS's.
	resp, err := http.Post(f.URL()+"/meetings", "application/json", strings.NewReader(`{"ClientRequestToken":"abc","MediaRegion":"sa-east-1"}`))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden || resp.Header.Get("X-Amzn-Errortype") != "MissingAuthenticationTokenException" {
		t.Errorf("unsigned request: %d %s, want 403 MissingAuthenticationTokenException", resp.StatusCode, resp.Header.Get("X-Amzn-Errortype"))
	}
}

func TestThrottlingAndOutagesAreUnavailable(t *testing.T) {
	f := newFake(t)
	r := newRooms(t, f)
	room, err := r.CreateRoom(t.Context(), spec())
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	who := ports.VideoParticipant{AccountID: kernel.NewID(), DisplayName: "Paciente"}
	for _, c := range []struct {
		status int
		code   string
	}{
		{429, "ThrottlingException"},
		{503, "ServiceUnavailableException"},
		{500, "ServiceFailureException"},
		{400, "LimitExceededException"},
	} {
		f.FailNext(1, c.status, c.code)
		_, err := r.Join(t.Context(), room, who, now, now.Add(time.Hour))
		wantKind(t, "Join answered "+c.code, err, kernel.KindUnavailable)
		f.FailNext(1, c.status, c.code)
		_, err = r.CreateRoom(t.Context(), spec())
		wantKind(t, "CreateRoom answered "+c.code, err, kernel.KindUnavailable)
		f.FailNext(1, c.status, c.code)
		wantKind(t, "EndRoom answered "+c.code, r.EndRoom(t.Context(), room), kernel.KindUnavailable)
	}
	f.FailNext(1, 400, "BadRequestException")
	_, err = r.CreateRoom(t.Context(), spec())
	wantKind(t, "CreateRoom answered BadRequest", err, kernel.KindInvalid)
	// After the failures, the same room still works.
	if _, err := r.Join(t.Context(), room, who, now, now.Add(time.Hour)); err != nil {
		t.Fatalf("Join after failures: %v", err)
	}
}

func TestTimeoutAndNetworkErrorsAreUnavailable(t *testing.T) {
	f := newFake(t)
	f.SetDelay(2 * time.Second)
	r := newRooms(t, f, func(cfg *chimevideo.Config) { cfg.Timeout = 200 * time.Millisecond })
	start := time.Now()
	_, err := r.CreateRoom(t.Context(), spec())
	wantKind(t, "slow Chime", err, kernel.KindUnavailable)
	if d := time.Since(start); d > time.Second {
		t.Errorf("CreateRoom waited %v despite a 200ms timeout", d)
	}
	f.SetDelay(0)

	dead := chimefake.New()
	url := dead.URL()
	dead.Close()
	r = newRooms(t, f, func(cfg *chimevideo.Config) { cfg.Endpoint = url })
	_, err = r.CreateRoom(t.Context(), spec())
	wantKind(t, "Chime unreachable", err, kernel.KindUnavailable)
}

func TestRequestsFollowTheReference(t *testing.T) {
	f := newFake(t)
	r := newRooms(t, f)
	sp := spec()
	room, err := r.CreateRoom(t.Context(), sp)
	if err != nil {
		t.Fatal(err)
	}
	if room.Data[chimevideo.KeyExternalMeetingID] != sp.AppointmentID || room.Data[chimevideo.KeyMediaRegion] != "sa-east-1" {
		t.Errorf("room data %v: want ExternalMeetingId = appointment, MediaRegion sa-east-1", room.Data)
	}
	// An appointment ID Chime's ExternalMeetingId pattern refuses is KindInvalid.
	_, err = r.CreateRoom(t.Context(), ports.VideoRoomSpec{AppointmentID: "consulta<script>"})
	wantKind(t, "ExternalMeetingId out of pattern", err, kernel.KindInvalid)
	// A room stored without its media placement still joins (GetMeeting fills it).
	now := time.Now()
	gets := f.Calls("GetMeeting")
	cred, err := r.Join(t.Context(), ports.VideoRoom{Provider: ports.VideoChime, RoomID: room.RoomID}, ports.VideoParticipant{AccountID: kernel.NewID()}, now, now.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if f.Calls("GetMeeting") != gets+1 || cred.Data[chimevideo.KeySignalingURL] != room.Data[chimevideo.KeySignalingURL] {
		t.Errorf("join without data: GetMeeting calls %d, signaling %q want %q", f.Calls("GetMeeting")-gets, cred.Data[chimevideo.KeySignalingURL], room.Data[chimevideo.KeySignalingURL])
	}
	if err := admits(f)(t, cred); err != nil {
		t.Error(err)
	}
	// The caller's room data is not changed by Join.
	if _, ok := room.Data[chimevideo.KeyJoinToken]; ok {
		t.Error("Join wrote into the room's data")
	}
	// A room ID that is not a Chime MeetingId is refused before any call.
	_, err = r.Join(t.Context(), ports.VideoRoom{Provider: ports.VideoChime, RoomID: "../meetings"}, ports.VideoParticipant{AccountID: kernel.NewID()}, now, now.Add(time.Hour))
	wantKind(t, "bad meeting ID", err, kernel.KindInvalid)
	wantKind(t, "EndRoom bad meeting ID", r.EndRoom(t.Context(), ports.VideoRoom{RoomID: "x"}), kernel.KindInvalid)
	// EndRoom deletes the meeting at Chime.
	if err := r.EndRoom(t.Context(), room); err != nil {
		t.Fatal(err)
	}
	if f.LiveMeetings() != 0 {
		t.Errorf("%d meetings live after EndRoom", f.LiveMeetings())
	}
}

func TestNewValidatesConfig(t *testing.T) {
	good := chimevideo.Config{Region: "us-east-1", MediaRegion: "sa-east-1", Credentials: chimefake.Credentials()}
	if _, err := chimevideo.New(good); err != nil {
		t.Fatal(err)
	}
	for name, edit := range map[string]func(*chimevideo.Config){
		"no region":       func(c *chimevideo.Config) { c.Region = "" },
		"no media region": func(c *chimevideo.Config) { c.MediaRegion = "" },
		"no credentials":  func(c *chimevideo.Config) { c.Credentials = nil },
		"bad endpoint":    func(c *chimevideo.Config) { c.Endpoint = "ftp://x" },
	} {
		cfg := good
		edit(&cfg)
		if _, err := chimevideo.New(cfg); err == nil || !strings.Contains(err.Error(), "chimevideo: ") {
			t.Errorf("%s: New error %v", name, err)
		}
	}
}
