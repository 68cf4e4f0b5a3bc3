package commerceapi

import "github.com/multisaude/multisaude/adapters/http/httpapi"

// SKELETON: replaced by the webhooks routes.
func (m *Module) registerWebhooks(r *httpapi.Router) {}
