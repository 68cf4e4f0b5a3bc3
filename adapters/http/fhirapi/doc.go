// Package fhirapi is the FHIR R4 facade: /fhir/R4 answers read and search of
// the platform's data as standard resources (application/fhir+json), through
// the same use cases and the same principals as the REST API, so every rule on
// who may see what, and every access-log line, holds here too. It also writes
// the FHIR Bundle of the LGPD export.
//
// Each resource type is one entry of the registry (registry.go) with its read,
// its search and the search parameters it declares; a parameter no entry
// declares is answered with an OperationOutcome, never ignored.
package fhirapi
