package consentapi

import "github.com/multisaude/multisaude/adapters/http/httpapi"

func (m *Module) registerExports(r *httpapi.Router) {}
