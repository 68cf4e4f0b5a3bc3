// Package clinical owns what a professional writes and a patient keeps for life:
// evaluations, treatment plans, prescriptions, medical documents and the health
// history, with who may read them (care relationship, shares, break-the-glass)
// and the access log every read writes.
package clinical
