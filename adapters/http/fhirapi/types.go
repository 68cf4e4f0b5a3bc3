package fhirapi

import "encoding/json"

// The FHIR R4 data types the facade writes. Only the elements it fills are
// declared; every one is optional in JSON (omitempty), as FHIR requires that an
// absent element is left out rather than written empty.

// Base is what every resource carries.
type Base struct {
	ResourceType string `json:"resourceType"`
	ID           string `json:"id,omitempty"`
	Meta         *Meta  `json:"meta,omitempty"`
}

func (b *Base) base() *Base { return b }

// Resource is any resource the facade answers.
type Resource interface{ base() *Base }

// Meta is a resource's metadata.
type Meta struct {
	VersionID   string   `json:"versionId,omitempty"`
	LastUpdated string   `json:"lastUpdated,omitempty"` // instant
	Profile     []string `json:"profile,omitempty"`
	Security    []Coding `json:"security,omitempty"`
}

// Identifier is a business identifier (CPF, CNPJ, a council registration).
type Identifier struct {
	Use      string           `json:"use,omitempty"`
	Type     *CodeableConcept `json:"type,omitempty"`
	System   string           `json:"system,omitempty"`
	Value    string           `json:"value,omitempty"`
	Assigner *Reference       `json:"assigner,omitempty"`
}

// Coding is one code in a code system.
type Coding struct {
	System  string `json:"system,omitempty"`
	Version string `json:"version,omitempty"`
	Code    string `json:"code,omitempty"`
	Display string `json:"display,omitempty"`
}

// CodeableConcept is a concept by codes and text.
type CodeableConcept struct {
	Coding []Coding `json:"coding,omitempty"`
	Text   string   `json:"text,omitempty"`
}

// Reference points at another resource.
type Reference struct {
	Reference  string      `json:"reference,omitempty"`
	Type       string      `json:"type,omitempty"`
	Identifier *Identifier `json:"identifier,omitempty"`
	Display    string      `json:"display,omitempty"`
}

// Period is a time range (dateTime start and end).
type Period struct {
	Start string `json:"start,omitempty"`
	End   string `json:"end,omitempty"`
}

// HumanName is a person's name.
type HumanName struct {
	Use    string   `json:"use,omitempty"`
	Text   string   `json:"text,omitempty"`
	Family string   `json:"family,omitempty"`
	Given  []string `json:"given,omitempty"`
}

// ContactPoint is a phone or an e-mail.
type ContactPoint struct {
	System string `json:"system,omitempty"` // phone | email | url
	Value  string `json:"value,omitempty"`
	Use    string `json:"use,omitempty"`
}

// Address is a postal address.
type Address struct {
	Use        string   `json:"use,omitempty"`
	Type       string   `json:"type,omitempty"`
	Text       string   `json:"text,omitempty"`
	Line       []string `json:"line,omitempty"`
	City       string   `json:"city,omitempty"`
	District   string   `json:"district,omitempty"`
	State      string   `json:"state,omitempty"`
	PostalCode string   `json:"postalCode,omitempty"`
	Country    string   `json:"country,omitempty"`
}

// Quantity is a measured amount with its UCUM unit.
type Quantity struct {
	Value  *json.Number `json:"value,omitempty"`
	Unit   string       `json:"unit,omitempty"`
	System string       `json:"system,omitempty"`
	Code   string       `json:"code,omitempty"`
}

// Money is an amount in a currency (decimal, not centavos).
type Money struct {
	Value    *json.Number `json:"value,omitempty"`
	Currency string       `json:"currency,omitempty"`
}

// Annotation is a note.
type Annotation struct {
	Text string `json:"text"`
	Time string `json:"time,omitempty"`
}

// Attachment is content by reference (a URL) or inline.
type Attachment struct {
	ContentType string `json:"contentType,omitempty"`
	URL         string `json:"url,omitempty"`
	Size        int64  `json:"size,omitempty"`
	Hash        string `json:"hash,omitempty"` // base64 SHA-1, as FHIR defines it
	Title       string `json:"title,omitempty"`
	Creation    string `json:"creation,omitempty"`
	Data        string `json:"data,omitempty"` // base64
}

// Signature is a signature over a resource (Provenance.signature).
type Signature struct {
	Type         []Coding   `json:"type"`
	When         string     `json:"when"`
	Who          *Reference `json:"who"`
	TargetFormat string     `json:"targetFormat,omitempty"`
	SigFormat    string     `json:"sigFormat,omitempty"`
	Data         string     `json:"data,omitempty"` // base64
}

// Extension is a FHIR extension (a URL and one value).
type Extension struct {
	URL          string           `json:"url"`
	ValueString  string           `json:"valueString,omitempty"`
	ValueCode    string           `json:"valueCode,omitempty"`
	ValueCoding  *Coding          `json:"valueCoding,omitempty"`
	ValueConcept *CodeableConcept `json:"valueCodeableConcept,omitempty"`
}

// Narrative is a resource's human-readable text (XHTML div).
type Narrative struct {
	Status string `json:"status"` // generated
	Div    string `json:"div"`
}

// Bundle is a searchset (a search's page) or a collection (the export).
type Bundle struct {
	Base
	Type      string        `json:"type"`
	Timestamp string        `json:"timestamp,omitempty"`
	Total     *int          `json:"total,omitempty"`
	Link      []BundleLink  `json:"link,omitempty"`
	Entry     []BundleEntry `json:"entry,omitempty"`
}

// BundleLink is a searchset's self or next link.
type BundleLink struct {
	Relation string `json:"relation"`
	URL      string `json:"url"`
}

// BundleEntry is one resource of a Bundle.
type BundleEntry struct {
	FullURL  string       `json:"fullUrl,omitempty"`
	Resource Resource     `json:"resource,omitempty"`
	Search   *EntrySearch `json:"search,omitempty"`
}

// EntrySearch says why a searchset entry is there.
type EntrySearch struct {
	Mode string `json:"mode"` // match | include | outcome
}

// OperationOutcome is the answer to an error.
type OperationOutcome struct {
	Base
	Issue []Issue `json:"issue"`
}

// Issue is one problem of an OperationOutcome.
type Issue struct {
	Severity    string           `json:"severity"` // fatal | error | warning | information
	Code        string           `json:"code"`     // invalid, not-found, forbidden, login, ...
	Details     *CodeableConcept `json:"details,omitempty"`
	Diagnostics string           `json:"diagnostics,omitempty"`
	Expression  []string         `json:"expression,omitempty"`
}
