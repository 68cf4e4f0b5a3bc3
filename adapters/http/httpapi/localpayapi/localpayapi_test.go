package localpayapi_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers/gorillamux"

	"github.com/multisaude/multisaude/adapters/http/httpapi"
	"github.com/multisaude/multisaude/adapters/http/httpapi/localpayapi"
	"github.com/multisaude/multisaude/adapters/payments/localpay"
	"github.com/multisaude/multisaude/ports"
)

func TestPayAndFailThroughTheServer(t *testing.T) {
	sim, err := localpay.New(localpay.Settings{WebhookSecret: "s"})
	if err != nil {
		t.Fatal(err)
	}
	defer sim.Close()
	srv := httpapi.New(httpapi.Config{}, slog.New(slog.DiscardHandler), nil, nil, localpayapi.New(sim))

	b, _ := json.Marshal(srv.Spec().Document())
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromData(b)
	if err != nil {
		t.Fatal(err)
	}
	if err := doc.Validate(loader.Context, openapi3.EnableSchemaFormatValidation()); err != nil {
		t.Fatalf("the OpenAPI document is invalid: %v", err)
	}
	doc.Servers = openapi3.Servers{{URL: "http://api.test"}}
	router, err := gorillamux.NewRouter(doc)
	if err != nil {
		t.Fatal(err)
	}
	call := func(path string, want int) []byte {
		t.Helper()
		req := httptest.NewRequest(http.MethodPost, "http://api.test"+path, nil)
		res, err := srv.App().Test(req, -1)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(res.Body)
		if res.StatusCode != want {
			t.Fatalf("POST %s = %d %s, want %d", path, res.StatusCode, body, want)
		}
		route, params, err := router.FindRoute(httptest.NewRequest(http.MethodPost, "http://api.test"+path, nil))
		if err != nil {
			t.Fatalf("%s is not in the document: %v", path, err)
		}
		in := &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route,
			Options: &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc}}
		out := &openapi3filter.ResponseValidationInput{RequestValidationInput: in, Status: res.StatusCode, Header: res.Header,
			Options: &openapi3filter.Options{MultiError: true}}
		out.SetBodyBytes(body)
		if err := openapi3filter.ValidateResponse(context.Background(), out); err != nil {
			t.Errorf("POST %s: the answer does not match the document: %v\n%s", path, err, body)
		}
		return body
	}
	ctx := context.Background()
	pix, _ := sim.CreateCharge(ctx, ports.ChargeRequest{Reference: "order-1", Amount: 2590, Method: ports.PayPix})
	var got localpayapi.Charge
	_ = json.Unmarshal(call("/dev/localpay/charges/"+pix.ID+"/pay", 200), &got)
	if got.Status != ports.ChargeSucceeded || got.Amount != 2590 || got.Reference != "order-1" || got.ExpiresAt == nil {
		t.Errorf("paid = %+v", got)
	}
	if body := call("/dev/localpay/charges/"+pix.ID+"/pay", 409); !bytes.Contains(body, []byte("paga")) {
		t.Errorf("paying twice: %s", body)
	}
	call("/dev/localpay/charges/ch_unknown/pay", 404)
	call("/dev/localpay/charges/bad-id!/pay", 404) // a malformed ID names no charge

	other, _ := sim.CreateCharge(ctx, ports.ChargeRequest{Amount: 100, Method: ports.PayPix})
	call("/dev/localpay/charges/"+other.ID+"/fail?reason=Bad%20Reason", 400)
	_ = json.Unmarshal(call("/dev/localpay/charges/"+other.ID+"/fail?reason=insufficient_funds", 200), &got)
	if got.Status != ports.ChargeFailed || got.FailureReason != "insufficient_funds" {
		t.Errorf("failed = %+v", got)
	}
}
