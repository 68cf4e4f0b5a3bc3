package commerceapi

import "github.com/multisaude/multisaude/adapters/http/httpapi"

// SKELETON: replaced by the orders routes.
func (m *Module) registerOrders(r *httpapi.Router) {}
