// Package chimevideo is ports.VideoRooms on Amazon Chime SDK Meetings: REST
// calls (CreateMeeting, CreateAttendee, DeleteMeeting, GetMeeting) signed with
// SigV4 (service "chime"), since the SDK's chimesdkmeetings module is not
// available to us.
//
// Chime keeps room state: a meeting exists until DeleteMeeting (or until AWS
// ends it, five minutes with nobody in it or after 24 hours), and an attendee's
// JoinToken stops working when the meeting ends. A JoinToken has no window of
// its own: the credential's NotBefore and ExpiresAt are the window our use case
// asked for and enforces.
//
// Chime sees only IDs: ExternalMeetingId is the appointment ID and
// ExternalUserId the account ID; display names never leave our server.
package chimevideo

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"github.com/multisaude/multisaude/core/kernel"
	"github.com/multisaude/multisaude/ports"
)

// Config says where and how to call Chime.
type Config struct {
	Region      string // the API's region, for the endpoint and the signature (e.g. us-east-1)
	MediaRegion string // where media flows (e.g. sa-east-1)
	Endpoint    string // "" is https://meetings-chime.<Region>.amazonaws.com (tests point it elsewhere)
	Credentials aws.CredentialsProvider
	HTTPClient  *http.Client  // nil: a client with a timeout
	Timeout     time.Duration // per call; 0 is DefaultTimeout
}

// DefaultTimeout bounds each call to Chime when Config.Timeout is zero.
const DefaultTimeout = 10 * time.Second

// signingName is Chime SDK Meetings' SigV4 service name.
const signingName = "chime"

// Keys of VideoRoom.Data and VideoCredential.Data: the field names of Chime's
// Meeting, MediaPlacement and Attendee, as the Chime JS SDK's
// MeetingSessionConfiguration reads them.
const (
	KeyMeetingID         = "MeetingId"
	KeyExternalMeetingID = "ExternalMeetingId"
	KeyMediaRegion       = "MediaRegion"
	KeyAudioHostURL      = "AudioHostUrl"
	KeyAudioFallbackURL  = "AudioFallbackUrl"
	KeySignalingURL      = "SignalingUrl"
	KeyTurnControlURL    = "TurnControlUrl"
	KeyScreenDataURL     = "ScreenDataUrl"
	KeyScreenSharingURL  = "ScreenSharingUrl"
	KeyScreenViewingURL  = "ScreenViewingUrl"
	KeyEventIngestionURL = "EventIngestionUrl"
	KeyAttendeeID        = "AttendeeId"
	KeyExternalUserID    = "ExternalUserId"
	KeyJoinToken         = "JoinToken"
)

// maxResponse bounds what we read of an answer.
const maxResponse = 1 << 20

var meetingIDRE = regexp.MustCompile(`^[a-fA-F0-9]{8}(?:-[a-fA-F0-9]{4}){3}-[a-fA-F0-9]{12}$`)

// Rooms implements ports.VideoRooms on Chime.
type Rooms struct {
	cfg      Config
	endpoint string
	client   *http.Client
	signer   *v4.Signer
}

var _ ports.VideoRooms = (*Rooms)(nil)

// New checks cfg and returns the adapter.
func New(cfg Config) (*Rooms, error) {
	var errs []error
	if strings.TrimSpace(cfg.Region) == "" {
		errs = append(errs, errors.New("chimevideo: a região da API (Region) é obrigatória"))
	}
	if strings.TrimSpace(cfg.MediaRegion) == "" {
		errs = append(errs, errors.New("chimevideo: a região de mídia (MediaRegion) é obrigatória"))
	}
	if cfg.Credentials == nil {
		errs = append(errs, errors.New("chimevideo: as credenciais da AWS (Credentials) são obrigatórias"))
	}
	if cfg.Timeout < 0 {
		errs = append(errs, errors.New("chimevideo: o tempo limite (Timeout) não pode ser negativo"))
	}
	endpoint := cfg.Endpoint
	if endpoint == "" {
		endpoint = "https://meetings-chime." + cfg.Region + ".amazonaws.com"
	}
	u, err := url.Parse(endpoint)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.RawQuery != "" {
		errs = append(errs, errors.New("chimevideo: o endereço da API (Endpoint) não é um URL válido"))
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	if cfg.Timeout == 0 {
		cfg.Timeout = DefaultTimeout
	}
	client := cfg.HTTPClient
	if client == nil {
		client = &http.Client{Timeout: cfg.Timeout}
	}
	return &Rooms{cfg: cfg, endpoint: strings.TrimRight(endpoint, "/"), client: client, signer: v4.NewSigner()}, nil
}

func (r *Rooms) Provider() string { return ports.VideoChime }

// ClientRequestToken is CreateMeeting's idempotency token for an appointment's
// meeting of a generation: the hex SHA-256 of both (64 characters of [0-9a-f],
// as the API allows). Concurrent and repeated creations for one appointment get
// one meeting while it lives.
func ClientRequestToken(appointmentID string, generation int) string {
	sum := sha256.Sum256(fmt.Appendf(nil, "multisaude/chime-meeting/v1\x00%s\x00%d", appointmentID, generation))
	return hex.EncodeToString(sum[:])
}

// maxGenerations bounds how many ended meetings CreateRoom steps over.
const maxGenerations = 16

type meetingJSON struct {
	MeetingId         string `json:"MeetingId"`
	ExternalMeetingId string `json:"ExternalMeetingId"`
	MediaRegion       string `json:"MediaRegion"`
	MediaPlacement    struct {
		AudioHostUrl      string `json:"AudioHostUrl"`
		AudioFallbackUrl  string `json:"AudioFallbackUrl"`
		SignalingUrl      string `json:"SignalingUrl"`
		TurnControlUrl    string `json:"TurnControlUrl"`
		ScreenDataUrl     string `json:"ScreenDataUrl"`
		ScreenSharingUrl  string `json:"ScreenSharingUrl"`
		ScreenViewingUrl  string `json:"ScreenViewingUrl"`
		EventIngestionUrl string `json:"EventIngestionUrl"`
	} `json:"MediaPlacement"`
}

type meetingOutput struct {
	Meeting *meetingJSON `json:"Meeting"`
}

type attendeeOutput struct {
	Attendee *struct {
		AttendeeId     string `json:"AttendeeId"`
		ExternalUserId string `json:"ExternalUserId"`
		JoinToken      string `json:"JoinToken"`
	} `json:"Attendee"`
}

func (m *meetingJSON) room() ports.VideoRoom {
	p := m.MediaPlacement
	return ports.VideoRoom{Provider: ports.VideoChime, RoomID: m.MeetingId, Data: map[string]string{
		KeyMeetingID:         m.MeetingId,
		KeyExternalMeetingID: m.ExternalMeetingId,
		KeyMediaRegion:       m.MediaRegion,
		KeyAudioHostURL:      p.AudioHostUrl,
		KeyAudioFallbackURL:  p.AudioFallbackUrl,
		KeySignalingURL:      p.SignalingUrl,
		KeyTurnControlURL:    p.TurnControlUrl,
		KeyScreenDataURL:     p.ScreenDataUrl,
		KeyScreenSharingURL:  p.ScreenSharingUrl,
		KeyScreenViewingURL:  p.ScreenViewingUrl,
		KeyEventIngestionURL: p.EventIngestionUrl,
	}}
}

// CreateRoom creates (or finds, through the idempotency token) the meeting of
// spec.AppointmentID in the configured media region.
func (r *Rooms) CreateRoom(ctx context.Context, spec ports.VideoRoomSpec) (ports.VideoRoom, error) {
	var p kernel.Problems
	if n := utf8.RuneCountInString(strings.TrimSpace(spec.AppointmentID)); n == 0 {
		p.Add("appointment_id", "o identificador da consulta é obrigatório")
	} else if n < 2 || utf8.RuneCountInString(spec.AppointmentID) > 64 {
		p.Add("appointment_id", "o identificador da consulta deve ter de 2 a 64 caracteres")
	}
	if !spec.Start.IsZero() && !spec.End.IsZero() && !spec.End.After(spec.Start) {
		p.Add("end", "o fim deve ser depois do início")
	}
	if err := p.Err(); err != nil {
		return ports.VideoRoom{}, err
	}
	// The API does not say whether a token still names its meeting after the
	// meeting ends (DeleteMeeting, or Chime's own end after five idle minutes).
	// So each meeting created is checked with GetMeeting, and an ended one makes
	// us step to the next generation's token. Concurrent callers walk the same
	// tokens in the same order, so they agree on one live meeting.
	for gen := range maxGenerations {
		in := map[string]string{
			"ClientRequestToken": ClientRequestToken(spec.AppointmentID, gen),
			"ExternalMeetingId":  spec.AppointmentID,
			"MediaRegion":        r.cfg.MediaRegion,
		}
		var out meetingOutput
		if err := r.call(ctx, "CreateMeeting", http.MethodPost, "/meetings", in, &out); err != nil {
			return ports.VideoRoom{}, err
		}
		if out.Meeting == nil || !meetingIDRE.MatchString(out.Meeting.MeetingId) {
			return ports.VideoRoom{}, kernel.Unavailable(errors.New("CreateMeeting answered without a valid MeetingId"), "o serviço de vídeo deu uma resposta inválida")
		}
		var live meetingOutput
		err := r.call(ctx, "GetMeeting", http.MethodGet, "/meetings/"+out.Meeting.MeetingId, nil, &live)
		switch {
		case err == nil && live.Meeting != nil && live.Meeting.MeetingId == out.Meeting.MeetingId:
			return live.Meeting.room(), nil
		case err == nil:
			return ports.VideoRoom{}, kernel.Unavailable(errors.New("GetMeeting answered another meeting"), "o serviço de vídeo deu uma resposta inválida")
		case kernel.KindOf(err) != kernel.KindNotFound:
			return ports.VideoRoom{}, err
		}
	}
	return ports.VideoRoom{}, kernel.Unavailable(errors.New("CreateMeeting keeps answering ended meetings"), "não foi possível criar a sala de vídeo; tente de novo mais tarde")
}

// Join adds who as an attendee of the meeting (ExternalUserId is the account
// ID) and returns what the Chime JS SDK needs. KindNotFound when the meeting has
// ended.
func (r *Rooms) Join(ctx context.Context, room ports.VideoRoom, who ports.VideoParticipant, notBefore, expiresAt time.Time) (ports.VideoCredential, error) {
	var p kernel.Problems
	if (room.Provider != "" && room.Provider != ports.VideoChime) || !meetingIDRE.MatchString(room.RoomID) {
		p.Add("room", "a sala não é uma reunião do Chime")
	}
	if n := utf8.RuneCountInString(strings.TrimSpace(who.AccountID)); n == 0 {
		p.Add("account_id", "o identificador da conta é obrigatório")
	} else if n < 2 || utf8.RuneCountInString(who.AccountID) > 64 {
		p.Add("account_id", "o identificador da conta deve ter de 2 a 64 caracteres")
	}
	if notBefore.IsZero() || expiresAt.IsZero() {
		p.Add("expires_at", "a janela de acesso é obrigatória")
	} else if !expiresAt.After(notBefore) {
		p.Add("expires_at", "a validade deve terminar depois de começar")
	}
	if err := p.Err(); err != nil {
		return ports.VideoCredential{}, err
	}
	data := maps.Clone(room.Data)
	if data == nil || data[KeySignalingURL] == "" || data[KeyAudioHostURL] == "" {
		// The room was stored without its media placement: ask Chime again.
		var out meetingOutput
		if err := r.call(ctx, "GetMeeting", http.MethodGet, "/meetings/"+room.RoomID, nil, &out); err != nil {
			return ports.VideoCredential{}, err
		}
		if out.Meeting == nil || out.Meeting.MeetingId != room.RoomID {
			return ports.VideoCredential{}, kernel.Unavailable(errors.New("GetMeeting answered another meeting"), "o serviço de vídeo deu uma resposta inválida")
		}
		data = out.Meeting.room().Data
	}
	var out attendeeOutput
	path := "/meetings/" + room.RoomID + "/attendees"
	if err := r.call(ctx, "CreateAttendee", http.MethodPost, path, map[string]string{"ExternalUserId": who.AccountID}, &out); err != nil {
		return ports.VideoCredential{}, err
	}
	if out.Attendee == nil || out.Attendee.AttendeeId == "" || out.Attendee.JoinToken == "" {
		return ports.VideoCredential{}, kernel.Unavailable(errors.New("CreateAttendee answered without AttendeeId or JoinToken"), "o serviço de vídeo deu uma resposta inválida")
	}
	data[KeyMeetingID] = room.RoomID
	data[KeyAttendeeID] = out.Attendee.AttendeeId
	data[KeyExternalUserID] = who.AccountID
	data[KeyJoinToken] = out.Attendee.JoinToken
	return ports.VideoCredential{
		Provider:  ports.VideoChime,
		RoomID:    room.RoomID,
		Token:     out.Attendee.JoinToken,
		Data:      data,
		NotBefore: notBefore.UTC(),
		ExpiresAt: expiresAt.UTC(),
	}, nil
}

// EndRoom deletes the meeting, which disconnects its attendees and voids their
// JoinTokens. A meeting already gone is not an error.
func (r *Rooms) EndRoom(ctx context.Context, room ports.VideoRoom) error {
	if (room.Provider != "" && room.Provider != ports.VideoChime) || !meetingIDRE.MatchString(room.RoomID) {
		return kernel.Invalid("room", "a sala não é uma reunião do Chime")
	}
	err := r.call(ctx, "DeleteMeeting", http.MethodDelete, "/meetings/"+room.RoomID, nil, nil)
	if kernel.KindOf(err) == kernel.KindNotFound {
		return nil
	}
	return err
}

// apiError is an error answer of the Chime API.
type apiError struct {
	Op     string
	Status int
	Type   string // x-amzn-ErrorType or the body's Code, e.g. "NotFoundException"
	Msg    string
}

func (e *apiError) Error() string {
	return fmt.Sprintf("chime %s: HTTP %d %s: %s", e.Op, e.Status, e.Type, e.Msg)
}

// call signs and sends one request, decodes a 2xx answer into out (when not
// nil) and turns anything else into a kernel error.
func (r *Rooms) call(ctx context.Context, op, method, path string, in, out any) error {
	ctx, cancel := context.WithTimeout(ctx, r.cfg.Timeout)
	defer cancel()
	var body []byte
	if in != nil {
		var err error
		if body, err = json.Marshal(in); err != nil {
			return kernel.Internal(err, "chime %s: corpo do pedido", op)
		}
	}
	req, err := http.NewRequestWithContext(ctx, method, r.endpoint+path, bytes.NewReader(body))
	if err != nil {
		return kernel.Internal(err, "chime %s: pedido", op)
	}
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	} else {
		req.Body, req.GetBody, req.ContentLength = http.NoBody, nil, 0
	}
	req.Header.Set("Accept", "application/json")
	creds, err := r.cfg.Credentials.Retrieve(ctx)
	if err != nil {
		return kernel.Unavailable(err, "não foi possível obter as credenciais da AWS")
	}
	sum := sha256.Sum256(body)
	if err := r.signer.SignHTTP(ctx, creds, req, hex.EncodeToString(sum[:]), signingName, r.cfg.Region, time.Now().UTC()); err != nil {
		return kernel.Internal(err, "chime %s: assinatura", op)
	}
	resp, err := r.client.Do(req)
	if err != nil {
		return kernel.Unavailable(fmt.Errorf("chime %s: %w", op, err), "o serviço de vídeo não respondeu")
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, maxResponse))
	if err != nil {
		return kernel.Unavailable(fmt.Errorf("chime %s: %w", op, err), "o serviço de vídeo não respondeu")
	}
	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		if out == nil {
			return nil
		}
		if err := json.Unmarshal(raw, out); err != nil {
			return kernel.Unavailable(fmt.Errorf("chime %s: %w", op, err), "o serviço de vídeo deu uma resposta inválida")
		}
		return nil
	}
	return mapError(parseError(op, resp, raw))
}

func parseError(op string, resp *http.Response, raw []byte) *apiError {
	e := &apiError{Op: op, Status: resp.StatusCode}
	var body struct {
		Code     string `json:"Code"`
		Message  string `json:"Message"`
		Message2 string `json:"message"`
		Type     string `json:"__type"`
	}
	_ = json.Unmarshal(raw, &body)
	e.Type = resp.Header.Get("X-Amzn-Errortype")
	if i := strings.IndexByte(e.Type, ':'); i >= 0 {
		e.Type = e.Type[:i]
	}
	for _, t := range []string{body.Type, body.Code} {
		if e.Type == "" {
			e.Type = t
		}
	}
	if i := strings.LastIndexByte(e.Type, '#'); i >= 0 {
		e.Type = e.Type[i+1:]
	}
	e.Msg = body.Message
	if e.Msg == "" {
		e.Msg = body.Message2
	}
	if len(e.Msg) > 300 {
		e.Msg = e.Msg[:300]
	}
	return e
}

// mapError: 404 is KindNotFound (the meeting is gone: the caller recreates it);
// throttling, limits and 5xx are KindUnavailable; other 400s are KindInvalid;
// refused credentials (401, 403) are KindInternal: our configuration is wrong.
func mapError(e *apiError) error {
	t := strings.TrimSuffix(e.Type, "Exception")
	switch {
	case t == "Throttling" || t == "ThrottledClient" || t == "LimitExceeded" || t == "ServiceUnavailable" || t == "ServiceFailure":
		return kernel.Unavailable(e, "o serviço de vídeo está sobrecarregado ou indisponível; tente de novo em instantes")
	case e.Status == http.StatusNotFound:
		return kernel.NotFound("a sala de vídeo não existe mais")
	case e.Status == http.StatusTooManyRequests || e.Status >= 500:
		return kernel.Unavailable(e, "o serviço de vídeo está sobrecarregado ou indisponível; tente de novo em instantes")
	case e.Status == http.StatusUnauthorized || e.Status == http.StatusForbidden:
		return kernel.Internal(e, "o serviço de vídeo recusou as credenciais do servidor")
	case e.Status == http.StatusBadRequest || e.Status == http.StatusUnprocessableEntity:
		return &kernel.Error{Kind: kernel.KindInvalid, Message: "o serviço de vídeo recusou o pedido",
			Fields: []kernel.FieldError{{Field: "room", Message: "o serviço de vídeo recusou os dados da sala"}}, Err: e}
	case e.Status == http.StatusConflict:
		return kernel.Unavailable(e, "o serviço de vídeo está ocupado com esta sala; tente de novo")
	default:
		return kernel.Internal(e, "resposta inesperada do serviço de vídeo")
	}
}
