package callapi

import (
	_ "embed"
)

//go:embed static/call.html
var pageHTML []byte

//go:embed static/call.js
var callJS []byte

//go:embed static/call.css
var callCSS []byte

type asset struct {
	name, opID, summary, contentType string
	body                             []byte
}

var assets = []asset{
	{name: "call.js", opID: "getCallPageScript", summary: "O script da página de chamada", contentType: "text/javascript", body: callJS},
	{name: "call.css", opID: "getCallPageStyle", summary: "O estilo da página de chamada", contentType: "text/css", body: callCSS},
}
