package conformance

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/multisaude/multisaude/core/kernel"
	"github.com/multisaude/multisaude/ports"
)

// VideoHarness is one adapter under test and what only its test can check.
type VideoHarness struct {
	Rooms ports.VideoRooms
	// Admits reports whether cred lets its holder into the room now (the provider's view: the fake
	// Chime server knows the attendee, Jitsi's JWT verifies with the secret and names the room, the
	// built-in hub accepts the token); nil error means admitted.
	Admits func(t *testing.T, cred ports.VideoCredential) error
	// Moderator reports whether the provider grants cred moderator rights. Nil for a provider with no
	// such notion (Chime's attendees are all alike); then the moderator case is skipped.
	Moderator func(t *testing.T, cred ports.VideoCredential) (bool, error)
}

// videoKeepsRoomState reports whether provider keeps room state the adapter can
// query and enforce: Chime (the meeting exists or not at AWS) and the built-in
// WebRTC hub do; Jitsi does not (a room exists while someone is in it, and a
// token lives until its exp). For such providers the suite checks that, after
// EndRoom, Join answers KindNotFound and a credential issued before is refused.
func videoKeepsRoomState(provider string) bool { return provider != ports.VideoJitsi }

// videoEnforcesWindow reports whether provider itself refuses a credential
// outside [NotBefore, ExpiresAt): Jitsi (the JWT's nbf and exp) and the built-in
// hub (its signed token) do; Chime's JoinToken has no window (it lives as long as
// the meeting), so there the window is our use case's to enforce.
func videoEnforcesWindow(provider string) bool { return provider != ports.VideoChime }

// RunVideoRooms runs the VideoRooms contract against adapters made by newHarness
// (called once per subtest with the subtest's t, so it may register cleanups).
func RunVideoRooms(t *testing.T, newHarness func(t *testing.T) VideoHarness) {
	report(t, "VideoRooms")
	t.Run("CreateForAppointment", func(t *testing.T) { videoCreate(t, newHarness(t)) })
	t.Run("CreateAgainSameRoom", func(t *testing.T) { videoCreateAgain(t, newHarness(t)) })
	t.Run("ConcurrentCreateAgrees", func(t *testing.T) { videoConcurrentCreate(t, newHarness(t)) })
	t.Run("TwoParticipants", func(t *testing.T) { videoTwoParticipants(t, newHarness(t)) })
	t.Run("OutsideWindowRefused", func(t *testing.T) { videoOutsideWindow(t, newHarness(t)) })
	t.Run("Moderator", func(t *testing.T) { videoModerator(t, newHarness(t)) })
	t.Run("InvalidSpec", func(t *testing.T) { videoInvalidSpec(t, newHarness(t)) })
	t.Run("InvalidWindow", func(t *testing.T) { videoInvalidWindow(t, newHarness(t)) })
	t.Run("EndTwice", func(t *testing.T) { videoEndTwice(t, newHarness(t)) })
	t.Run("EndedRoom", func(t *testing.T) { videoEnded(t, newHarness(t)) })
	t.Run("NoPersonalDataInRoom", func(t *testing.T) { videoNoPersonalData(t, newHarness(t)) })
}

var (
	videoPatient      = ports.VideoParticipant{AccountID: "0193a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a01", DisplayName: "Maria Aparecida Quitéria"}
	videoProfessional = ports.VideoParticipant{AccountID: "0193a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a02", DisplayName: "Dr. Joaquim Bernardes", Moderator: true}
)

func videoSpec() ports.VideoRoomSpec {
	start := time.Now().UTC().Add(5 * time.Minute).Truncate(time.Second)
	return ports.VideoRoomSpec{AppointmentID: kernel.NewID(), Start: start, End: start.Add(30 * time.Minute)}
}

// videoWindow is a join window that is open now.
func videoWindow() (notBefore, expiresAt time.Time) {
	now := time.Now().UTC().Truncate(time.Second)
	return now.Add(-time.Minute), now.Add(45 * time.Minute)
}

func videoCreateRoom(t *testing.T, h VideoHarness, spec ports.VideoRoomSpec) ports.VideoRoom {
	t.Helper()
	room, err := h.Rooms.CreateRoom(context.Background(), spec)
	noErr(t, "CreateRoom", err)
	return room
}

func videoJoin(t *testing.T, h VideoHarness, room ports.VideoRoom, who ports.VideoParticipant) ports.VideoCredential {
	t.Helper()
	nb, exp := videoWindow()
	cred, err := h.Rooms.Join(context.Background(), room, who, nb, exp)
	noErr(t, "Join", err)
	return cred
}

func videoAdmitted(t *testing.T, h VideoHarness, what string, cred ports.VideoCredential) {
	t.Helper()
	if err := h.Admits(t, cred); err != nil {
		t.Errorf("%s: the provider refuses the credential: %v", what, err)
	}
}

func videoCreate(t *testing.T, h VideoHarness) {
	spec := videoSpec()
	room := videoCreateRoom(t, h, spec)
	if room.Provider != h.Rooms.Provider() {
		t.Errorf("room provider %q, want %q", room.Provider, h.Rooms.Provider())
	}
	if room.RoomID == "" {
		t.Fatal("CreateRoom returned an empty RoomID")
	}
	videoAdmitted(t, h, "patient in a new room", videoJoin(t, h, room, videoPatient))
}

func videoCreateAgain(t *testing.T, h VideoHarness) {
	spec := videoSpec()
	first := videoCreateRoom(t, h, spec)
	second := videoCreateRoom(t, h, spec)
	if first.RoomID != second.RoomID {
		t.Errorf("creating twice for one appointment gave rooms %q and %q, want one", first.RoomID, second.RoomID)
	}
	videoAdmitted(t, h, "join through the second room", videoJoin(t, h, second, videoPatient))
	videoAdmitted(t, h, "join through the first room", videoJoin(t, h, first, videoProfessional))
	other := videoCreateRoom(t, h, videoSpec())
	if other.RoomID == first.RoomID {
		t.Errorf("two appointments share room %q", other.RoomID)
	}
}

func videoConcurrentCreate(t *testing.T, h VideoHarness) {
	spec := videoSpec()
	const n = 20
	rooms := make([]ports.VideoRoom, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			rooms[i], errs[i] = h.Rooms.CreateRoom(context.Background(), spec)
		}()
	}
	close(start)
	wg.Wait()
	for i, err := range errs {
		noErr(t, "concurrent CreateRoom", err)
		if rooms[i].RoomID != rooms[0].RoomID {
			t.Fatalf("concurrent CreateRoom for one appointment gave rooms %q and %q", rooms[0].RoomID, rooms[i].RoomID)
		}
	}
	videoAdmitted(t, h, "join the room created concurrently", videoJoin(t, h, rooms[n-1], videoPatient))
}

func videoTwoParticipants(t *testing.T, h VideoHarness) {
	room := videoCreateRoom(t, h, videoSpec())
	nb, exp := videoWindow()
	ctx := context.Background()
	pat, err := h.Rooms.Join(ctx, room, videoPatient, nb, exp)
	noErr(t, "Join patient", err)
	pro, err := h.Rooms.Join(ctx, room, videoProfessional, nb, exp)
	noErr(t, "Join professional", err)
	if pat.Token == "" || pro.Token == "" {
		t.Errorf("empty token: patient %q professional %q", pat.Token, pro.Token)
	}
	if pat.Token == pro.Token {
		t.Error("the two participants got the same token")
	}
	for _, c := range []struct {
		who  string
		cred ports.VideoCredential
	}{{"patient", pat}, {"professional", pro}} {
		if c.cred.Provider != h.Rooms.Provider() || c.cred.RoomID != room.RoomID {
			t.Errorf("%s: credential for %q room %q, want %q %q", c.who, c.cred.Provider, c.cred.RoomID, h.Rooms.Provider(), room.RoomID)
		}
		// Tokens may carry whole seconds: NotBefore may round down to one, never more.
		if c.cred.NotBefore.Before(nb.Add(-time.Second)) || c.cred.NotBefore.After(nb.Add(time.Second)) {
			t.Errorf("%s: NotBefore %v, asked %v", c.who, c.cred.NotBefore, nb)
		}
		if c.cred.ExpiresAt.IsZero() || c.cred.ExpiresAt.After(exp) || !c.cred.ExpiresAt.After(c.cred.NotBefore) {
			t.Errorf("%s: ExpiresAt %v, asked at most %v (NotBefore %v)", c.who, c.cred.ExpiresAt, exp, c.cred.NotBefore)
		}
		videoAdmitted(t, h, c.who, c.cred)
	}
}

func videoOutsideWindow(t *testing.T, h VideoHarness) {
	if !videoEnforcesWindow(h.Rooms.Provider()) {
		t.Skipf("provider %s has no credential window of its own", h.Rooms.Provider())
	}
	room := videoCreateRoom(t, h, videoSpec())
	now := time.Now().UTC().Truncate(time.Second)
	for _, w := range []struct {
		what    string
		nb, exp time.Time
	}{
		{"a window that opens in an hour", now.Add(time.Hour), now.Add(2 * time.Hour)},
		{"a window that closed an hour ago", now.Add(-2 * time.Hour), now.Add(-time.Hour)},
	} {
		cred, err := h.Rooms.Join(context.Background(), room, videoPatient, w.nb, w.exp)
		if err != nil {
			wantKind(t, "Join for "+w.what, err, kernel.KindInvalid)
			continue
		}
		if h.Admits(t, cred) == nil {
			t.Errorf("a credential for %s is admitted now", w.what)
		}
	}
}

func videoModerator(t *testing.T, h VideoHarness) {
	if h.Moderator == nil {
		t.Skipf("provider %s has no moderator role", h.Rooms.Provider())
	}
	room := videoCreateRoom(t, h, videoSpec())
	for _, c := range []struct {
		who  ports.VideoParticipant
		want bool
	}{{videoPatient, false}, {videoProfessional, true}} {
		got, err := h.Moderator(t, videoJoin(t, h, room, c.who))
		noErr(t, "Moderator", err)
		if got != c.want {
			t.Errorf("participant with Moderator=%v: the provider says moderator=%v", c.who.Moderator, got)
		}
	}
}

func videoInvalidSpec(t *testing.T, h VideoHarness) {
	ctx := context.Background()
	spec := videoSpec()
	spec.AppointmentID = ""
	_, err := h.Rooms.CreateRoom(ctx, spec)
	wantKind(t, "CreateRoom without appointment", err, kernel.KindInvalid)

	spec = videoSpec()
	spec.End = spec.Start.Add(-time.Minute)
	_, err = h.Rooms.CreateRoom(ctx, spec)
	wantKind(t, "CreateRoom ending before it starts", err, kernel.KindInvalid)
}

func videoInvalidWindow(t *testing.T, h VideoHarness) {
	ctx := context.Background()
	room := videoCreateRoom(t, h, videoSpec())
	nb, _ := videoWindow()
	_, err := h.Rooms.Join(ctx, room, videoPatient, nb, nb)
	wantKind(t, "Join with expiresAt == notBefore", err, kernel.KindInvalid)
	_, err = h.Rooms.Join(ctx, room, videoPatient, nb, nb.Add(-time.Minute))
	wantKind(t, "Join with expiresAt before notBefore", err, kernel.KindInvalid)
	_, exp := videoWindow()
	_, err = h.Rooms.Join(ctx, room, ports.VideoParticipant{DisplayName: "Sem Conta"}, nb, exp)
	wantKind(t, "Join without an account ID", err, kernel.KindInvalid)
}

func videoEndTwice(t *testing.T, h VideoHarness) {
	room := videoCreateRoom(t, h, videoSpec())
	noErr(t, "EndRoom", h.Rooms.EndRoom(context.Background(), room))
	noErr(t, "EndRoom again", h.Rooms.EndRoom(context.Background(), room))
}

func videoEnded(t *testing.T, h VideoHarness) {
	ctx := context.Background()
	spec := videoSpec()
	room := videoCreateRoom(t, h, spec)
	before := videoJoin(t, h, room, videoPatient)
	videoAdmitted(t, h, "before EndRoom", before)
	noErr(t, "EndRoom", h.Rooms.EndRoom(ctx, room))

	if videoKeepsRoomState(h.Rooms.Provider()) {
		if err := h.Admits(t, before); err == nil {
			t.Error("a credential issued before EndRoom is still admitted")
		}
		nb, exp := videoWindow()
		_, err := h.Rooms.Join(ctx, room, videoProfessional, nb, exp)
		wantKind(t, "Join an ended room", err, kernel.KindNotFound)
	}

	// The caller recreates the room of the same appointment; it works.
	again := videoCreateRoom(t, h, spec)
	videoAdmitted(t, h, "join the room created again after EndRoom", videoJoin(t, h, again, videoProfessional))
}

func videoNoPersonalData(t *testing.T, h VideoHarness) {
	room := videoCreateRoom(t, h, videoSpec())
	creds := []ports.VideoCredential{videoJoin(t, h, room, videoPatient), videoJoin(t, h, room, videoProfessional)}
	names := []string{"maria", "aparecida", "quitéria", "quiteria", "joaquim", "bernardes"}
	check := func(what, s string) {
		low := strings.ToLower(s)
		for _, n := range names {
			if strings.Contains(low, n) {
				t.Errorf("%s %q holds a participant's name", what, s)
			}
		}
	}
	check("room ID", room.RoomID)
	for k, v := range room.Data {
		check("room data "+k, v)
	}
	for _, c := range creds {
		check("credential room ID", c.RoomID)
	}
}
