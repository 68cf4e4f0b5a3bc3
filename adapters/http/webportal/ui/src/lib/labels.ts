// pt-BR names of API codes that every side shows the same way.

// UFS are the 27 federative units, for address forms.
export const UFS = ["AC", "AL", "AM", "AP", "BA", "CE", "DF", "ES", "GO", "MA", "MG", "MS", "MT", "PA", "PB", "PE", "PI", "PR", "RJ", "RN", "RO", "RR", "RS", "SC", "SE", "SP", "TO"] as const;
export type UF = (typeof UFS)[number];

// professionLabel names a profession's area ("Fisioterapia").
export const professionLabel: Record<string, string> = {
  dentist: "Dentista",
  nurse: "Enfermagem",
  nutritionist: "Nutrição",
  occupational_therapist: "Terapia ocupacional",
  pharmacist: "Farmácia",
  physical_educator: "Educação física",
  physician: "Medicina",
  physiotherapist: "Fisioterapia",
  psychologist: "Psicologia",
  speech_therapist: "Fonoaudiologia",
};

export const modeLabel: Record<string, string> = { in_person: "Presencial", telemedicine: "Telemedicina" };
