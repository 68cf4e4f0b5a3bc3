package consentdir

import (
	"context"
	"io"

	"github.com/multisaude/multisaude/core/kernel"
)

// FHIRBundleWriter writes the export's FHIR Bundle (the FHIR facade,
// fhirapi.Facade): a collection Bundle of what p may read about themself,
// streamed page by page; an empty collection for anyone but a patient.
type FHIRBundleWriter interface {
	WriteExportBundle(ctx context.Context, p kernel.Principal, w io.Writer) error
}

// UseFHIR sets the writer of fhir_bundle.json. It is set after both are
// built (the facade reads through consent's service, which reads through
// this directory); without it the file is an empty collection Bundle.
func (d *Directory) UseFHIR(w FHIRBundleWriter) { d.fhir = w }

// emptyBundle is fhir_bundle.json when no writer is set.
const emptyBundle = `{"resourceType":"Bundle","type":"collection"}` + "\n"

// fhirSection writes fhir_bundle.json (consent.SectionFHIR).
func (d *Directory) fhirSection(ctx context.Context, p kernel.Principal, w io.Writer) error {
	if d.fhir == nil {
		_, err := io.WriteString(w, emptyBundle)
		return err
	}
	return d.fhir.WriteExportBundle(ctx, p, w)
}
