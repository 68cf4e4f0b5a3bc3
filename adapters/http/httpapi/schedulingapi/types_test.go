package schedulingapi

import (
	"encoding/json"
	"testing"

	"github.com/multisaude/multisaude/core/kernel"
)

// FuzzAvailabilityRequest: any JSON body either converts or fails with a field-named
// invalid error; it never panics.
func FuzzAvailabilityRequest(f *testing.F) {
	f.Add([]byte(`{"time_zone":"America/Sao_Paulo","slot_minutes":30,"weekly":[{"weekday":"monday","start":"08:00","end":"12:00","mode":"in_person"}],"exceptions":[{"date":"2026-12-25","available":false}]}`))
	f.Add([]byte(`{"weekly":[{"weekday":"x","start":"99:99","end":"","mode":""}],"exceptions":[{"date":"nope","available":true}]}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		var r AvailabilityRequest
		if json.Unmarshal(body, &r) != nil {
			return
		}
		a, err := r.toDomain()
		if err == nil {
			a.Normalize()
			err = a.Validate()
		}
		if err == nil {
			return
		}
		ke, ok := err.(*kernel.Error)
		if !ok || ke.Kind != kernel.KindInvalid || len(ke.Fields) == 0 {
			t.Fatalf("error %v is not a field-named invalid error", err)
		}
	})
}
