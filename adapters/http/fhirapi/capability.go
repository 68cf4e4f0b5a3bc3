package fhirapi

// CapabilityStatement is /fhir/R4/metadata.
type CapabilityStatement struct {
	Base
	URL            string       `json:"url,omitempty"`
	Version        string       `json:"version,omitempty"`
	Name           string       `json:"name"`
	Title          string       `json:"title,omitempty"`
	Status         string       `json:"status"`
	Date           string       `json:"date"`
	Publisher      string       `json:"publisher,omitempty"`
	Description    string       `json:"description,omitempty"`
	Kind           string       `json:"kind"`
	Software       *CapSoftware `json:"software,omitempty"`
	Implementation *CapImpl     `json:"implementation,omitempty"`
	FHIRVersion    string       `json:"fhirVersion"`
	Format         []string     `json:"format"`
	Rest           []CapRest    `json:"rest"`
}

// CapSoftware names the server software.
type CapSoftware struct {
	Name    string `json:"name"`
	Version string `json:"version,omitempty"`
}

// CapImpl is this instance.
type CapImpl struct {
	Description string `json:"description"`
	URL         string `json:"url,omitempty"`
}

// CapRest is the server's REST capabilities.
type CapRest struct {
	Mode          string        `json:"mode"`
	Documentation string        `json:"documentation,omitempty"`
	Security      *CapSecurity  `json:"security,omitempty"`
	Resource      []CapResource `json:"resource"`
}

// CapSecurity says how callers authenticate.
type CapSecurity struct {
	Cors        bool              `json:"cors,omitempty"`
	Service     []CodeableConcept `json:"service,omitempty"`
	Description string            `json:"description,omitempty"`
}

// CapResource is one resource type's capabilities.
type CapResource struct {
	Type          string           `json:"type"`
	Profile       string           `json:"profile,omitempty"`
	Documentation string           `json:"documentation,omitempty"`
	Interaction   []CapInteraction `json:"interaction"`
	SearchInclude []string         `json:"searchInclude,omitempty"`
	SearchParam   []CapSearchParam `json:"searchParam,omitempty"`
}

// CapInteraction is one interaction (read, search-type).
type CapInteraction struct {
	Code string `json:"code"`
}

// CapSearchParam is one search parameter.
type CapSearchParam struct {
	Name          string `json:"name"`
	Type          string `json:"type"`
	Documentation string `json:"documentation,omitempty"`
}

// Capabilities is the CapabilityStatement, built from the registry, so it
// says exactly what the search parser accepts.
func (f *Facade) Capabilities(base string) CapabilityStatement {
	version := f.d.Version
	if version == "" {
		version = "dev"
	}
	rest := CapRest{Mode: "server",
		Documentation: "Fachada FHIR R4 da multisaude: leitura e busca sobre os mesmos casos de uso e as mesmas regras de acesso da API REST. Somente JSON.",
		Security: &CapSecurity{
			Service: []CodeableConcept{{Coding: []Coding{{System: "http://terminology.hl7.org/CodeSystem/restful-security-service", Code: "OAuth", Display: "OAuth"}}, Text: "Bearer"}},
			Description: "Authorization: Bearer com o token de acesso da conta (paciente, profissional, membro de empresa, administrador) " +
				"ou uma chave de API de parceiro com o escopo fhir:read. Os recursos do diretório (Practitioner, PractitionerRole, Organization, " +
				"Location, Schedule, Slot) são públicos; os demais exigem autenticação e seguem as regras da API REST, e cada leitura de dado clínico entra no registro de acesso do paciente.",
		}}
	common := []CapSearchParam{
		{Name: pID, Type: "token", Documentation: "o id lógico do recurso (lista separada por vírgulas)"},
		{Name: pCount, Type: "number", Documentation: "tamanho da página, de 1 a 100 (20)"},
	}
	for _, name := range f.order {
		rt := f.types[name]
		cr := CapResource{Type: rt.Name, Profile: rt.Profile, Documentation: rt.Doc,
			Interaction: []CapInteraction{{Code: "read"}, {Code: "search-type"}}, SearchInclude: rt.Includes}
		cr.SearchParam = append(cr.SearchParam, common...)
		for _, p := range rt.Params {
			cr.SearchParam = append(cr.SearchParam, CapSearchParam{Name: p.Name, Type: p.Type, Documentation: p.Doc})
		}
		rest.Resource = append(rest.Resource, cr)
	}
	return CapabilityStatement{Base: Base{ResourceType: "CapabilityStatement", ID: "multisaude"},
		URL: base + "/metadata", Version: version, Name: "MultisaudeFHIRFacade", Title: "multisaude: fachada FHIR R4",
		Status: "active", Date: capabilityDate, Publisher: "multisaude",
		Description: "Dados de agendamento, registros clínicos, consentimentos e registro de acesso da plataforma como recursos FHIR R4.",
		Kind:        "instance", Software: &CapSoftware{Name: "multisaude", Version: version},
		Implementation: &CapImpl{Description: "multisaude FHIR R4", URL: base},
		FHIRVersion:    "4.0.1", Format: []string{"json", "application/fhir+json"}, Rest: []CapRest{rest}}
}

// capabilityDate is when this statement's content last changed.
const capabilityDate = "2026-12-01"
