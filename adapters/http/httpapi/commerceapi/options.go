package commerceapi

import "github.com/multisaude/multisaude/adapters/http/httpapi"

// SKELETON: replaced by the options routes.
func (m *Module) registerOptions(r *httpapi.Router) {}
