// Package identity owns accounts (patients, professionals, company members and
// platform admins), partner companies and their API keys, sign-up validation
// (CPF, CNPJ, council registrations), login sessions and who may do what.
package identity
