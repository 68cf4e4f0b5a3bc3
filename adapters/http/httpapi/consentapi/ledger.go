package consentapi

import "github.com/multisaude/multisaude/adapters/http/httpapi"

func (m *Module) registerLedger(r *httpapi.Router) {}
