package schedulingapi

import (
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/multisaude/multisaude/adapters/http/httpapi"
	"github.com/multisaude/multisaude/core/scheduling"
)

// VideoCredentialResponse is what the caller's client needs to join the
// appointment's video call, valid in [not_before, expires_at).
type VideoCredentialResponse struct {
	Provider    string              `json:"provider"`
	RoomID      string              `json:"room_id"`
	JoinURL     string              `json:"join_url,omitempty"`
	Token       string              `json:"token"`
	Data        map[string]string   `json:"data"`
	NotBefore   time.Time           `json:"not_before"`
	ExpiresAt   time.Time           `json:"expires_at"`
	Moderator   bool                `json:"moderator"`
	Appointment AppointmentResponse `json:"appointment"`
}

func videoCredentialOf(j scheduling.VideoJoin) VideoCredentialResponse {
	c := j.Credential
	data := c.Data
	if data == nil {
		data = map[string]string{}
	}
	return VideoCredentialResponse{Provider: c.Provider, RoomID: c.RoomID, JoinURL: c.JoinURL, Token: c.Token, Data: data,
		NotBefore: c.NotBefore, ExpiresAt: c.ExpiresAt, Moderator: j.Moderator, Appointment: appointmentOf(j.Appointment)}
}

const videoDescription = "Only the patient and the professional of a confirmed telemedicine consultation, from " +
	"15 minutes (MULTISAUDE_VIDEO_EARLY) before the start until 30 minutes (MULTISAUDE_VIDEO_GRACE) after the end, " +
	"and only while the patient holds a current `telemedicine` consent. 409: the room is not open yet (the detail says " +
	"when it opens), the appointment is in person, or the consent is missing (the problem's `consent` names the term). " +
	"410: the appointment was cancelled, completed or marked no-show, or the room closed. Never cached."

const inPersonDescription = "By the patient or the professional of a confirmed telemedicine consultation. When the " +
	"professional's availability offers in-person care at that time, the appointment becomes in person at the same time " +
	"(its video room ends); otherwise 409, offering to reschedule to an in-person slot."

// registerVideo adds the telemedicine routes.
func (m *Module) registerVideo(r *httpapi.Router) {
	r.Handle(fiber.MethodPost, "/v1/appointments/:id/video", httpapi.Op{ID: "joinVideo", Summary: "The caller's credential to join a telemedicine appointment's video room", Tag: tag,
		Description: videoDescription, Auth: httpapi.User, ResponseHeaders: []string{"Cache-Control"},
		Responses: ok(200, VideoCredentialResponse{}, 401, 403, 404, 409, 410, 503)}, m.joinVideo)
	r.Handle(fiber.MethodPost, "/v1/appointments/:id/in-person", httpapi.Op{ID: "switchToInPerson", Summary: "Turn a telemedicine appointment into an in-person one at the same time", Tag: tag,
		Description: inPersonDescription, Auth: httpapi.User,
		Responses: ok(200, AppointmentResponse{}, 401, 403, 404, 409)}, m.switchToInPerson)
}

func (m *Module) joinVideo(c *fiber.Ctx) error {
	c.Set(fiber.HeaderCacheControl, "no-store")
	id, err := httpapi.PathID(c, "id")
	if err != nil {
		return err
	}
	j, err := m.svc.JoinVideo(c.UserContext(), httpapi.PrincipalOf(c), id)
	if err != nil {
		return err
	}
	return httpapi.OK(c, videoCredentialOf(j))
}

func (m *Module) switchToInPerson(c *fiber.Ctx) error {
	id, err := httpapi.PathID(c, "id")
	if err != nil {
		return err
	}
	a, err := m.svc.SwitchToInPerson(c.UserContext(), httpapi.PrincipalOf(c), id)
	if err != nil {
		return err
	}
	return httpapi.OK(c, appointmentOf(a))
}

func (VideoCredentialResponse) Example() any {
	a := AppointmentResponse{}.Example().(AppointmentResponse)
	return VideoCredentialResponse{Provider: "webrtc", RoomID: "qo664c2co74oyeku65yk3qor2pfah2bu",
		JoinURL: "/chamada/qo664c2co74oyeku65yk3qor2pfah2bu#t=eyJ...assinado", Token: "eyJ...assinado", Data: map[string]string{},
		NotBefore: a.Start.Add(-10 * time.Minute), ExpiresAt: a.End.Add(30 * time.Minute), Appointment: a}
}
