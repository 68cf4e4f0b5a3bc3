package sqsqueue

import (
	"bytes"
	"testing"

	"github.com/multisaude/multisaude/ports"
)

// TestDecode: the one decoder Consume and the Lambda worker share reads each
// way a message reaches a queue, and refuses what it cannot read.
func TestDecode(t *testing.T) {
	body, enc := encodeBody([]byte{0xff, 0x00, 0x01})
	d, err := Decode("a.b", "sqs-1", body, map[string]string{attrID: "m-1", attrKey: "k", attrEncoding: enc, attrHeaders: `{"h":"v"}`}, "3")
	if err != nil {
		t.Fatal(err)
	}
	if d.ID != "m-1" || d.Topic != "a.b" || d.Key != "k" || !bytes.Equal(d.Body, []byte{0xff, 0x00, 0x01}) || d.Headers["h"] != "v" || d.Attempt != 3 {
		t.Errorf("published message: %+v", d)
	}
	env, err := Envelope(ports.Message{ID: "m-2", Topic: "a.b", Key: "k2", Body: []byte(`{"x":1}`), Headers: map[string]string{"a": "b"}})
	if err != nil {
		t.Fatal(err)
	}
	d, err = Decode("a.b", "sqs-2", env, nil, "")
	if err != nil {
		t.Fatal(err)
	}
	if d.ID != "m-2" || d.Key != "k2" || string(d.Body) != `{"x":1}` || d.Headers["a"] != "b" || d.Attempt != 1 {
		t.Errorf("scheduler envelope: %+v", d)
	}
	d, err = Decode("a.b", "sqs-3", "texto qualquer", nil, "1")
	if err != nil || d.ID != "sqs-3" || string(d.Body) != "texto qualquer" {
		t.Errorf("foreign message: %+v %v", d, err)
	}
	for name, attrs := range map[string]map[string]string{
		"unknown encoding": {attrEncoding: "rot13"},
		"bad base64":       {attrEncoding: "base64"},
		"bad headers":      {attrID: "m", attrHeaders: "[1]"},
	} {
		if _, err := Decode("a.b", "sqs-4", "não é base64!", attrs, "1"); err == nil {
			t.Errorf("%s: decoded", name)
		}
	}
}
