package commerceapi

import "github.com/multisaude/multisaude/adapters/http/httpapi"

// SKELETON: replaced by the catalog routes.
func (m *Module) registerCatalog(r *httpapi.Router) {}
