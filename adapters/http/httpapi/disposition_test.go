package httpapi

import (
	"mime"
	"net/url"
	"strings"
	"testing"
)

func TestContentDisposition(t *testing.T) {
	for _, tc := range []struct{ name, want string }{
		{"exame.pdf", `attachment; filename="exame.pdf"; filename*=UTF-8''exame.pdf`},
		{"Exame de sangue - João.pdf", `attachment; filename="Exame de sangue - Joao.pdf"; filename*=UTF-8''Exame%20de%20sangue%20-%20Jo%C3%A3o.pdf`},
		{"Raio-X tórax (Conceição) 100%.png", `attachment; filename="Raio-X torax (Conceicao) 100%.png"; filename*=UTF-8''Raio-X%20t%C3%B3rax%20%28Concei%C3%A7%C3%A3o%29%20100%25.png`},
		{`a"b\c.pdf`, `attachment; filename="a_b_c.pdf"; filename*=UTF-8''a%22b%5Cc.pdf`},
		{"laudo 日本.pdf", `attachment; filename="laudo __.pdf"; filename*=UTF-8''laudo%20%E6%97%A5%E6%9C%AC.pdf`},
		{"x\r\nSet-Cookie: a=b.pdf", `attachment; filename="xSet-Cookie: a=b.pdf"; filename*=UTF-8''xSet-Cookie%3A%20a%3Db.pdf`},
		{"", `attachment`},
	} {
		got := ContentDisposition("attachment", tc.name)
		if got != tc.want {
			t.Errorf("%q:\n got %s\nwant %s", tc.name, got, tc.want)
			continue
		}
		if tc.name == "" {
			continue
		}
		// a standard parser reads the exact name back from filename*
		_, params, err := mime.ParseMediaType(got)
		if err != nil {
			t.Errorf("%q: %s does not parse: %v", tc.name, got, err)
			continue
		}
		clean := strings.NewReplacer("\r", "", "\n", "").Replace(tc.name)
		if params["filename"] != clean {
			t.Errorf("%q: parsed back as %q", tc.name, params["filename"])
		}
		if ext := got[strings.Index(got, "''")+2:]; func() bool { u, err := url.PathUnescape(ext); return err != nil || u != clean }() {
			t.Errorf("%q: filename* does not decode to the name", tc.name)
		}
	}
}
