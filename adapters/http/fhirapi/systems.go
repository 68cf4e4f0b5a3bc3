package fhirapi

import (
	"encoding/json"
	"strconv"
	"strings"
	"time"

	"github.com/multisaude/multisaude/core/identity"
)

// Naming systems of Brazilian identifiers, as the RNDS (Rede Nacional de Dados
// em Saúde) publishes them.
const (
	SystemCPF  = "http://rnds.saude.gov.br/fhir/r4/NamingSystem/cpf"
	SystemCNS  = "http://rnds.saude.gov.br/fhir/r4/NamingSystem/cns"
	SystemCNES = "http://rnds.saude.gov.br/fhir/r4/NamingSystem/cnes"
	SystemCNPJ = "http://rnds.saude.gov.br/fhir/r4/NamingSystem/cnpj"
)

// systemCouncilBase prefixes the naming system of a professional council
// registration, one per council and UF ("…/crm-sp"): the RNDS publishes none
// for council numbers, and a number is unique only within its council and UF.
const systemCouncilBase = "https://multisaude.com.br/fhir/sid/"

// CouncilSystem is the naming system of registrations at council in uf.
func CouncilSystem(council, uf string) string {
	return systemCouncilBase + strings.ToLower(council) + "-" + strings.ToLower(uf)
}

// Code systems and profiles.
const (
	SystemLOINC         = "http://loinc.org"
	SystemUCUM          = "http://unitsofmeasure.org"
	SystemICD10         = "http://hl7.org/fhir/sid/icd-10"
	SystemCID10RNDS     = "http://www.saude.gov.br/fhir/r4/CodeSystem/BRCID10"
	SystemV2IDType      = "http://terminology.hl7.org/CodeSystem/v2-0203"
	SystemObsCat        = "http://terminology.hl7.org/CodeSystem/observation-category"
	SystemActCode       = "http://terminology.hl7.org/CodeSystem/v3-ActCode"
	SystemCondClin      = "http://terminology.hl7.org/CodeSystem/condition-clinical"
	SystemCondVer       = "http://terminology.hl7.org/CodeSystem/condition-ver-status"
	SystemCondCat       = "http://terminology.hl7.org/CodeSystem/condition-category"
	SystemOrgType       = "http://terminology.hl7.org/CodeSystem/organization-type"
	SystemConsentScope  = "http://terminology.hl7.org/CodeSystem/consentscope"
	SystemConsentCat    = "http://loinc.org"
	SystemAuditType     = "http://dicom.nema.org/resources/ontology/DCM"
	SystemAuditAction   = "http://hl7.org/fhir/audit-event-action"
	SystemProvActivity  = "http://terminology.hl7.org/CodeSystem/v3-DataOperation"
	SystemSignatureType = "urn:iso-astm:E1762-95:2013"
	// SystemMultisaude prefixes our own code systems (profession, specialty,
	// company type, consent purpose, ...): codes that have no national table.
	SystemMultisaude = "https://multisaude.com.br/fhir/CodeSystem/"
)

// Profiles the facade declares in meta.profile, where a published Brazilian
// profile applies to what it writes (the RNDS's, BR Core's successors).
const (
	ProfilePatient = "http://www.saude.gov.br/fhir/r4/StructureDefinition/BRIndividuo-1.0"
)

func cpfIdentifier(cpf string) Identifier {
	return Identifier{Use: "official", System: SystemCPF, Value: digits(cpf),
		Type: &CodeableConcept{Coding: []Coding{{System: SystemV2IDType, Code: "TAX", Display: "Tax ID number"}}, Text: "CPF"}}
}

func cnpjIdentifier(cnpj string) Identifier {
	return Identifier{Use: "official", System: SystemCNPJ, Value: cnpjValue(cnpj),
		Type: &CodeableConcept{Coding: []Coding{{System: SystemV2IDType, Code: "TAX", Display: "Tax ID number"}}, Text: "CNPJ"}}
}

func councilIdentifier(c identity.Council) Identifier {
	return Identifier{Use: "official", System: CouncilSystem(c.Type, c.UF), Value: c.Number,
		Type: &CodeableConcept{Coding: []Coding{{System: SystemV2IDType, Code: "MD", Display: "Medical License number"}},
			Text: strings.ToUpper(c.Type) + "/" + strings.ToUpper(c.UF)}}
}

// cnpjValue is a CNPJ without punctuation, letters upper-case (the
// alphanumeric CNPJ of 2026 keeps its letters).
func cnpjValue(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r >= '0' && r <= '9', r >= 'A' && r <= 'Z':
			return r
		case r >= 'a' && r <= 'z':
			return r - 'a' + 'A'
		}
		return -1
	}, s)
}

func digits(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' {
			return r
		}
		return -1
	}, s)
}

// instant writes t as a FHIR instant (UTC, seconds at least).
func instant(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339Nano)
}

// dateOnly writes t as a FHIR date.
func dateOnly(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.Format(time.DateOnly)
}

// number writes f as a JSON number with no float noise (36.6, not 36.600000000000001).
func number(f float64) *json.Number {
	n := json.Number(strconv.FormatFloat(f, 'f', -1, 64))
	return &n
}

func ref(typ, id string) *Reference {
	if id == "" {
		return nil
	}
	return &Reference{Reference: typ + "/" + id}
}

func concept(system, code, display string) *CodeableConcept {
	return &CodeableConcept{Coding: []Coding{{System: system, Code: code, Display: display}}, Text: display}
}

func meta(updated time.Time, version string, profiles ...string) *Meta {
	m := &Meta{LastUpdated: instant(updated), VersionID: version, Profile: profiles}
	if m.LastUpdated == "" && m.VersionID == "" && len(m.Profile) == 0 {
		return nil
	}
	return m
}
