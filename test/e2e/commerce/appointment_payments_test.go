package commerce_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/multisaude/multisaude/test/e2e/harness"
)

var saoPaulo, _ = time.LoadLocation("America/Sao_Paulo")

type apptPayment struct {
	ID            string `json:"id"`
	AppointmentID string `json:"appointment_id"`
	OrderID       string `json:"order_id"`
	ChargeID      string `json:"charge_id"`
	Status        string `json:"status"`
	PixCopyPaste  string `json:"pix_copy_paste"`
	Amount        struct {
		Amount int64 `json:"amount"`
	} `json:"amount"`
	Refunded struct {
		Amount int64 `json:"amount"`
	} `json:"refunded"`
}

// TestAppointmentPayment: a patient books a consultation of R$ 250,00, pays it
// with Pix through localpay; the provider's webhook marks the payment
// succeeded; nobody else may pay or read it; cancelling the appointment
// refunds it in full, automatically.
func TestAppointmentPayment(t *testing.T) {
	harness.ForEachDialect(t, func(t *testing.T, h *harness.H) {
		pro := harness.SignUpVerifiedProfessional(t, h, harness.ProfessionalOptions{Name: "Dra. Cobrança", Price: 25000})
		pat := harness.SignUpPatient(t, h)
		other := harness.SignUpPatient(t, h)
		var weekly []map[string]any
		for _, d := range []string{"sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"} {
			weekly = append(weekly, map[string]any{"weekday": d, "start": "00:00", "end": "24:00", "mode": "telemedicine"})
		}
		h.Do(t, harness.Req{Method: http.MethodPut, Path: "/v1/professionals/" + pro.ID + "/availability", Token: pro.Token,
			Body: map[string]any{"time_zone": "America/Sao_Paulo", "slot_minutes": 30, "buffer_minutes": 0, "min_notice_hours": 2,
				"horizon_days": 30, "cancel_until_hours": 0, "weekly": weekly, "exceptions": []any{}}}).Want(t, http.StatusOK)
		day := time.Now().In(saoPaulo).AddDate(0, 0, 2).Format("2006-01-02")
		var slots struct {
			Items []struct {
				Start time.Time `json:"start"`
			} `json:"items"`
		}
		h.Get(t, "/v1/professionals/"+pro.ID+"/slots?from="+day+"&to="+day, "").Want(t, http.StatusOK).JSON(t, &slots)
		if len(slots.Items) < 5 {
			t.Fatalf("slots = %d", len(slots.Items))
		}
		appt := h.Post(t, "/v1/appointments", pat.Token, map[string]any{"professional_id": pro.ID, "start": slots.Items[4].Start.Format(time.RFC3339)}).
			Want(t, http.StatusCreated).Map(t)
		apptID := appt["id"].(string)
		path := "/v1/appointments/" + apptID + "/payments"
		payReq := func(token, key string, body map[string]any) *harness.Resp {
			return h.Do(t, harness.Req{Method: http.MethodPost, Path: path, Token: token, Body: body,
				Headers: map[string]string{"Idempotency-Key": key}})
		}

		// nobody but its patient may pay it or see its payments
		payReq(other.Token, "other-1", map[string]any{"method": "pix"}).Want(t, http.StatusNotFound)
		payReq(pro.Token, "pro-1", map[string]any{"method": "pix"}).Want(t, http.StatusNotFound)
		h.Get(t, path, other.Token).Want(t, http.StatusNotFound)
		if p := payReq(pat.Token, "bad-1", map[string]any{"method": "boleto"}).Want(t, http.StatusBadRequest).Problem(t); !p.HasField("method") {
			t.Errorf("bad method: %+v", p)
		}

		var pay apptPayment
		payReq(pat.Token, "pay-1", map[string]any{"method": "pix"}).Want(t, http.StatusCreated).JSON(t, &pay)
		if pay.Status != "pending" || pay.AppointmentID != apptID || pay.OrderID != "" || pay.Amount.Amount != 25000 ||
			pay.ChargeID == "" || !strings.HasPrefix(pay.PixCopyPaste, "000201") {
			t.Fatalf("payment %+v", pay)
		}
		var again apptPayment // the same method again, under another key: the pending charge
		payReq(pat.Token, "pay-2", map[string]any{"method": "pix"}).Want(t, http.StatusCreated).JSON(t, &again)
		if again.ID != pay.ID {
			t.Errorf("a second pending payment %s (first %s)", again.ID, pay.ID)
		}
		payReq(pat.Token, "pay-card", map[string]any{"method": "card", "card_token": "tok_visa"}).Want(t, http.StatusConflict)

		// the test is the payer
		h.Post(t, "/dev/localpay/charges/"+pay.ChargeID+"/pay", "", nil).Want(t, http.StatusOK)
		mine := func() (apptPayment, error) {
			var l struct {
				Items []apptPayment `json:"items"`
			}
			h.Get(t, "/v1/me/payments", pat.Token).Want(t, http.StatusOK).JSON(t, &l)
			for _, x := range l.Items {
				if x.ID == pay.ID {
					return x, nil
				}
			}
			return apptPayment{}, fmt.Errorf("payment %s not in /v1/me/payments", pay.ID)
		}
		harness.Eventually(t, 20*time.Second, func() error {
			x, err := mine()
			if err == nil && x.Status != "succeeded" {
				err = fmt.Errorf("payment is %s", x.Status)
			}
			if err == nil && x.AppointmentID != apptID {
				err = fmt.Errorf("appointment_id %q", x.AppointmentID)
			}
			return err
		})
		if p := payReq(pat.Token, "pay-3", map[string]any{"method": "pix"}).Want(t, http.StatusConflict).Problem(t); !strings.Contains(p.Detail+p.Title, "já foi paga") {
			t.Errorf("paid twice: %+v", p)
		}
		payReq(other.Token, "other-2", map[string]any{"method": "pix"}).Want(t, http.StatusNotFound)
		var list struct {
			Items []apptPayment `json:"items"`
		}
		h.Get(t, path, pat.Token).Want(t, http.StatusOK).JSON(t, &list)
		if len(list.Items) != 1 || list.Items[0].ID != pay.ID || list.Items[0].Status != "succeeded" {
			t.Errorf("appointment payments %+v", list.Items)
		}

		// cancelling refunds it in full, automatically
		h.Post(t, "/v1/appointments/"+apptID+"/cancel", pat.Token, map[string]any{"reason": "viagem"}).Want(t, http.StatusOK)
		harness.Eventually(t, 30*time.Second, func() error {
			x, err := mine()
			if err == nil && x.Refunded.Amount != 25000 {
				err = fmt.Errorf("refunded %d", x.Refunded.Amount)
			}
			return err
		})
		payReq(pat.Token, "pay-4", map[string]any{"method": "pix"}).Want(t, http.StatusConflict) // cancelled
	})
}
