package commerceapi

import "github.com/multisaude/multisaude/adapters/http/httpapi"

// SKELETON: replaced by the payments routes.
func (m *Module) registerPayments(r *httpapi.Router) {}
