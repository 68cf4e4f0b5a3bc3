package consentapi

import "github.com/multisaude/multisaude/adapters/http/httpapi"

func (m *Module) registerActivities(r *httpapi.Router) {}
