package wire

import (
	"strings"
	"testing"
)

// TestTracesSettingsAreChecked: a bad MULTISAUDE_TRACES* value stops the
// start with a message naming the variable.
func TestTracesSettingsAreChecked(t *testing.T) {
	for k, v := range map[string]string{
		"MULTISAUDE_TRACES":              "jaeger",
		"MULTISAUDE_TRACES_SAMPLE_RATIO": "1.5",
		"MULTISAUDE_TRACES_ENDPOINT":     "collector:4318",
	} {
		_, err := Load(env(map[string]string{"MULTISAUDE_DATA_DIR": t.TempDir(), k: v}))
		if err == nil || !strings.Contains(err.Error(), k) {
			t.Errorf("%s=%s: error %v does not name the variable", k, v, err)
		}
	}
	cfg, err := Load(env(map[string]string{"MULTISAUDE_DATA_DIR": t.TempDir(), "MULTISAUDE_TRACES": "OTLP", "MULTISAUDE_TRACES_SAMPLE_RATIO": "0"}))
	if err != nil || cfg.Traces != "otlp" || cfg.TracesSampleRatio != 0 {
		t.Errorf("OTLP with ratio 0: %+v %v", tracingConfig(cfg), err)
	}
}
