package idempotencysql_test

import (
	"io"
	"net/http"

	"github.com/multisaude/multisaude/adapters/http/httpapi"
)

// adaptor serves a fiber app through net/http for httptest (app.Test serialises nothing, but
// a real listener exercises concurrent requests the way clients send them).
func adaptor(s *httpapi.Server) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		res, err := s.App().Test(r, -1)
		if err != nil {
			http.Error(w, err.Error(), 500)
			return
		}
		defer res.Body.Close()
		for k, vs := range res.Header {
			for _, v := range vs {
				w.Header().Add(k, v)
			}
		}
		w.WriteHeader(res.StatusCode)
		_, _ = io.Copy(w, res.Body)
	})
}
