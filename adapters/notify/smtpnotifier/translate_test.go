package smtpnotifier

import (
	"errors"
	"net/textproto"
	"strings"
	"testing"

	"github.com/multisaude/multisaude/core/kernel"
)

// A relay's reply may quote the recipient; the error (logged by whoever
// retries the message) keeps the reply's code, never its text.
func TestTranslateDropsTheReplyText(t *testing.T) {
	for _, c := range []struct {
		code int
		kind kernel.Kind
	}{{550, kernel.KindInternal}, {450, kernel.KindUnavailable}} {
		err := translate(&textproto.Error{Code: c.code, Msg: "5.1.1 <maria.souza@example.test>: Recipient address rejected"}, "RCPT TO")
		if strings.Contains(err.Error(), "maria") {
			t.Errorf("%d: the error quotes the recipient: %v", c.code, err)
		}
		var te *textproto.Error
		if !errors.As(err, &te) || te.Code != c.code || kernel.KindOf(err) != c.kind {
			t.Errorf("%d: got %v (kind %s)", c.code, err, kernel.KindOf(err))
		}
	}
}
