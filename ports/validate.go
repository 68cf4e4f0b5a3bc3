package ports

import (
	"net/mail"
	"strings"
	"unicode/utf8"

	"github.com/multisaude/multisaude/core/kernel"
)

// MaxBlobKeyLen is the longest blob key, in bytes.
const MaxBlobKeyLen = 1024

// CheckBlobKey returns kernel.KindInvalid (field "key") unless key is a valid
// blob key: non-empty, at most MaxBlobKeyLen bytes of UTF-8 without control
// characters, no leading "/", and no "." or ".." path segment. Every BlobStore
// adapter calls it so that all of them accept and refuse the same keys.
func CheckBlobKey(key string) error {
	switch {
	case key == "":
		return kernel.Invalid("key", "is required")
	case len(key) > MaxBlobKeyLen:
		return kernel.Invalid("key", "is longer than %d bytes", MaxBlobKeyLen)
	case !utf8.ValidString(key):
		return kernel.Invalid("key", "is not valid UTF-8")
	case strings.HasPrefix(key, "/"):
		return kernel.Invalid("key", "must not start with /")
	}
	for _, r := range key {
		if r < 0x20 || r == 0x7f {
			return kernel.Invalid("key", "must not contain control characters")
		}
	}
	for _, seg := range strings.Split(key, "/") {
		if seg == "." || seg == ".." {
			return kernel.Invalid("key", "must not contain . or .. segments")
		}
	}
	return nil
}

// CheckTopic returns kernel.KindInvalid (field "topic") unless topic is 1..200
// characters of letters, digits, ".", "-" and "_".
func CheckTopic(topic string) error {
	if topic == "" {
		return kernel.Invalid("topic", "is required")
	}
	if len(topic) > 200 {
		return kernel.Invalid("topic", "is longer than 200 characters")
	}
	for _, r := range topic {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '.' || r == '-' || r == '_') {
			return kernel.Invalid("topic", "may hold only letters, digits, '.', '-' and '_'")
		}
	}
	return nil
}

// CheckMessage returns kernel.KindInvalid naming the field when m cannot be
// published: it needs an ID and a valid topic.
func CheckMessage(m Message) error {
	var p kernel.Problems
	p.Require("id", m.ID)
	if err := CheckTopic(m.Topic); err != nil {
		p.Add("topic", "%s", fieldMessage(err))
	}
	return p.Err()
}

// CheckJob returns kernel.KindInvalid naming the field when j cannot be scheduled.
func CheckJob(j Job) error {
	var p kernel.Problems
	p.Require("id", j.ID)
	if j.At.IsZero() {
		p.Add("at", "is required")
	}
	if err := CheckTopic(j.Msg.Topic); err != nil {
		p.Add("msg.topic", "%s", fieldMessage(err))
	}
	return p.Err()
}

// CheckNotification returns kernel.KindInvalid naming the field when n cannot be
// sent: channel "email" needs a bare e-mail address, "sms" an E.164 number
// ("+5511987654321"); any other channel is refused.
func CheckNotification(n Notification) error {
	var p kernel.Problems
	switch n.Channel {
	case "email":
		if p.Require("to", n.To) {
			a, err := mail.ParseAddress(n.To)
			if err != nil || a.Address != n.To || a.Name != "" || !strings.Contains(n.To[strings.LastIndexByte(n.To, '@')+1:], ".") {
				p.Add("to", "is not a valid e-mail address")
			}
		}
	case "sms":
		if p.Require("to", n.To) && !isE164(n.To) {
			p.Add("to", "is not a phone number in E.164 form (+5511987654321)")
		}
	case "":
		p.Add("channel", "is required")
	default:
		p.Add("channel", "must be email or sms")
	}
	return p.Err()
}

func isE164(s string) bool {
	if len(s) < 9 || len(s) > 16 || s[0] != '+' || s[1] == '0' {
		return false
	}
	for _, c := range s[1:] {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

func fieldMessage(err error) string {
	if e, ok := err.(*kernel.Error); ok && len(e.Fields) > 0 {
		return e.Fields[0].Message
	}
	return err.Error()
}
