// The questionnaire page's answer engine: the same decisions as `trustpress answer`, from the
// same rules file (faq/answer-rules.json, which is src/answer/rules.json) and the same answer
// library (faq/answers.json, the public build's `answer::library`). This is a line-by-line
// port of src/answer/{text,matcher,layout,fill}.rs; the shared vectors in
// tests/answer/vectors.json hold both to the same tokens, decisions, layouts and cells.
// Where JavaScript and Rust differ by default (sorting, trimming, "alphanumeric", string
// length), the Rust behaviour is written out here.

// ---- Rust's string rules ----------------------------------------------------------------

const WHITE_EDGES = /^\p{White_Space}+|\p{White_Space}+$/gu;
const NOT_ALPHANUMERIC = /[^\p{Alphabetic}\p{N}]+/u;

/** `str::trim`: Unicode White_Space at both ends (JavaScript's trim also strips U+FEFF). */
export function trim(text) {
  return text.replace(WHITE_EDGES, "");
}

/** Lower-case runs of letters and digits (`char::is_alphanumeric`), as `text::words`. */
export function words(text) {
  return text
    .split(NOT_ALPHANUMERIC)
    .filter((word) => word !== "")
    .map((word) => word.toLowerCase());
}

/** Code points, as `str::chars`. */
function chars(text) {
  return Array.from(text);
}

/** `String`'s order: by code point (UTF-8 byte order), not by UTF-16 unit. */
export function compare(a, b) {
  if (a === b) return 0;
  const x = chars(a);
  const y = chars(b);
  const length = Math.min(x.length, y.length);
  for (let i = 0; i < length; i++) {
    if (x[i] !== y[i]) return x[i].codePointAt(0) < y[i].codePointAt(0) ? -1 : 1;
  }
  return x.length - y.length;
}

function compareWords(a, b) {
  const length = Math.min(a.length, b.length);
  for (let i = 0; i < length; i++) {
    const order = compare(a[i], b[i]);
    if (order !== 0) return order;
  }
  return a.length - b.length;
}

function startsWith(items, prefix, at) {
  if (items.length - at < prefix.length) return false;
  for (let i = 0; i < prefix.length; i++) {
    if (items[at + i] !== prefix[i]) return false;
  }
  return true;
}

function utf8Length(text) {
  return new TextEncoder().encode(text).length;
}

// ---- Reading a question (text.rs) ----------------------------------------------------------

export class Reader {
  constructor(rules) {
    this.rules = rules;
    // The first word of every synonym phrase -> [phrase words, canonical token], longest first.
    this.phrases = new Map();
    for (const group of rules.synonyms) {
      if (group.length === 0) continue;
      const canonical = words(group[0]).join("_");
      for (const text of group) {
        const phrase = words(text);
        if (phrase.length === 0) continue;
        if (!this.phrases.has(phrase[0])) this.phrases.set(phrase[0], []);
        this.phrases.get(phrase[0]).push([phrase, canonical]);
      }
    }
    for (const list of this.phrases.values()) {
      list.sort((a, b) => b[0].length - a[0].length || compareWords(a[0], b[0]));
    }
    this.stopwords = new Set(rules.stopwords);
    this.stems = new Map();
    this.customerPeople = words(rules.own_people.customer).join("_");
    // Each word as a question would read it (a synonym's group, or its stem).
    this.vendorPeople = new Set(rules.own_people.vendor.flatMap((word) => this.tokens(word)));
    // The token an answer that names a supplier holds.
    this.supplier = this.tokens(rules.suppliers.token)[0] ?? "";
    // Each scope with its members' tokens: a phrase's token alone (`mobile phone`), not also
    // its words' (`mobile` alone is not a device).
    this.scopes = rules.scopes.map((scope) => ({
      name: scope.name,
      strict: scope.strict === true,
      members: this.firstTokens(scope.members),
    }));
    // Each kind of figure: the first token of each of its asked words, and what gives one.
    this.figures = rules.figures.map((figure) => ({
      name: figure.name,
      asked: this.firstTokens(figure.asked),
      given: figure.given.map((given) => given.toLowerCase()),
    }));
  }

  /** The first token of each of `words`, as `Reader::first_tokens`: a phrase's synonym token alone. */
  firstTokens(words) {
    return new Set(words.map((word) => this.tokens(word)[0]).filter((token) => token !== undefined));
  }

  /**
   * The first kind of figure (`rules.figures`) a question of `tokens` asks for that an
   * answer whose text is `text` does not give: its name, or null.
   */
  figureNotGiven(tokens, text) {
    const lower = text.toLowerCase();
    for (const figure of this.figures) {
      const asks = tokens.some((token) => figure.asked.has(token));
      if (asks && !figure.given.some((given) => lower.includes(given))) return figure.name;
    }
    return null;
  }

  /**
   * Whether `text` is about the customer's own people (`rules.own_people`): it holds the token
   * of their synonym group ("our staff"), or "our" followed within a few words by a role ("our
   * own accounts payable staff"), as `Reader::names_customer_people`.
   */
  namesCustomerPeople(text) {
    const own = this.rules.own_people;
    return (
      this.tokens(text).includes(this.customerPeople) ||
      this.namesOwn(text, own.possessive.customer, own.roles) ||
      this.namesOwn(text, own.possessive.customer, own.customer_roles)
    );
  }

  /** Whether `text` names the vendor's people in a role ("your own admins"), as `Reader::names_vendor_people`. */
  namesVendorPeople(text) {
    return this.namesOwn(text, this.rules.own_people.possessive.vendor, this.rules.own_people.roles);
  }

  /** Whether `text` names the vendor's own suppliers ("your hosting provider"), as `Reader::names_vendor_suppliers`. */
  namesVendorSuppliers(text) {
    return this.namesOwn(text, this.rules.own_people.possessive.vendor, this.rules.suppliers.words);
  }

  /** Whether `text` names a supplier at all (the supplier synonym group's token), as `Reader::names_supplier`. */
  namesSupplier(text) {
    return this.tokens(text).includes(this.supplier);
  }

  /** Whether a word of `possessive` is followed within a few words by a word of `owned`, as `Reader::names_own`. */
  namesOwn(text, possessive, owned) {
    const own = this.rules.own_people;
    const list = words(text);
    return list.some(
      (word, at) =>
        possessive.includes(word) &&
        list
          .slice(at + 1)
          .filter((next) => !own.skip.includes(next))
          .slice(0, own.within)
          .some((next) => owned.includes(next)),
    );
  }

  /** Whether a token is the vendor's people (`rules.own_people.vendor`). */
  isVendorPeople(token) {
    return this.vendorPeople.has(token);
  }

  /**
   * What a question asks: its sentences that end with a question mark, or the whole text when
   * none does (or every one does), as `Reader::asked`. A sentence that starts with a word of
   * `rules.asks` asks too ("Please confirm …"). A sentence ends at `.`, `?`, `!`, `;` or `:`
   * before white space or the end, and at a line break.
   */
  asked(text) {
    const SPACE = [" ", "\t", "\n", "\r", "\u00a0"];
    const sentences = [];
    const points = Array.from(text);
    let current = "";
    points.forEach((c, at) => {
      current += c;
      const beforeSpace = at + 1 >= points.length || SPACE.includes(points[at + 1]);
      if (c === "\n" || (".?!;:".includes(c) && beforeSpace)) {
        sentences.push(current);
        current = "";
      }
    });
    sentences.push(current);
    const strip = (value, start, end) => {
      let from = 0;
      let to = value.length;
      if (start) while (from < to && SPACE.includes(value[from])) from++;
      if (end) while (to > from && SPACE.includes(value[to - 1])) to--;
      return value.slice(from, to);
    };
    const kept = sentences.filter((sentence) => strip(sentence, true, true) !== "");
    const asking = kept.filter((sentence) => strip(sentence, false, true).endsWith("?") || this.rules.asks.includes(words(sentence)[0]));
    return asking.length === 0 || asking.length === kept.length ? text : asking.join(" ");
  }

  /** The tokens of `text`, in order (a token may repeat). */
  tokens(text) {
    const all = words(text);
    const tokens = [];
    let at = 0;
    while (at < all.length) {
      const candidates = this.phrases.get(all[at]);
      const matched = candidates && candidates.find(([phrase]) => startsWith(all, phrase, at));
      if (matched) {
        const [phrase, canonical] = matched;
        tokens.push(canonical);
        if (phrase.length > 1) {
          for (const word of phrase) {
            if (this.stopwords.has(word)) continue;
            const stem = this.stem(word);
            if (stem !== canonical) tokens.push(stem);
          }
        }
        at += phrase.length;
      } else {
        const word = all[at];
        if (!this.stopwords.has(word)) tokens.push(this.stem(word));
        at += 1;
      }
    }
    return tokens;
  }

  /** A word's stem, as `Reader::stem` (cached: questionnaires repeat their words). */
  stem(word) {
    let stem = this.stems.get(word);
    if (stem === undefined) {
      stem = this.stemUncached(word);
      this.stems.set(word, stem);
    }
    return stem;
  }

  stemUncached(word) {
    const rules = this.rules;
    if (/[0-9]/.test(word) || chars(word).length <= rules.min_stem) return word;
    let stem = word;
    for (const [suffix, replacement] of rules.inflections) {
      if (suffix === "s" && rules.keep_final_s.some((keep) => stem.endsWith(keep))) continue;
      const cut = this.apply(stem, suffix, replacement);
      if (cut !== null) {
        stem = cut;
        break;
      }
    }
    for (let round = 0; round < 2; round++) {
      let cut = null;
      for (const [suffix, replacement] of rules.derivations) {
        cut = this.apply(stem, suffix, replacement);
        if (cut !== null) break;
      }
      if (cut === null) break;
      stem = cut;
    }
    return chars(stem).slice(0, rules.truncate).join("");
  }

  apply(word, suffix, replacement) {
    if (!word.endsWith(suffix)) return null;
    const base = word.slice(0, word.length - suffix.length);
    return chars(base).length >= this.rules.min_stem ? base + replacement : null;
  }
}

// ---- Matching (matcher.rs) ---------------------------------------------------------------------

/** How the best answer stands against the next, for a reason (as `matcher::leads`). */
function leads(next, lead) {
  return next === null ? " and is the only answer that shares its words" : ` and leads ${next} by ${lead}`;
}

/** A share as a whole percentage, halves rounded up (as `matcher::percent`). */
function percent(share) {
  return `${Math.round(share * 100)}%`;
}

/** How many times the next answer's score the best answer's is, for a reason (as `matcher::times`). */
function times(ratio) {
  return ratio === null ? "" : ` (${ratio} times its score)`;
}

/** Three decimals, as `matcher::round` (values are never negative, so Math.round agrees). */
function round(value) {
  return Math.round(value * 1000) / 1000;
}

export class Matcher {
  constructor(reader, entries) {
    this.reader = reader;
    this.entries = entries;
    this.docs = [];
    this.questions = [];
    // Whether each entry's own question is about the customer's people.
    this.customerPeople = [];
    // Whether each entry's own question is about the vendor's people.
    this.vendorPeople = [];
    // Whether each entry (its question or its text) names a supplier.
    this.namesSupplier = [];
    // Whether each entry's every question names a supplier: it is about suppliers.
    this.aboutSuppliers = [];
    this.lengths = [];
    this.frequency = new Map();
    this.postings = new Map();
    this.references = new Map();
    const weight = reader.rules.ranking.question_weight;
    entries.forEach((entry, index) => {
      const tf = new Map();
      const question = new Set();
      for (const asked of [entry.question, ...entry.also_asked_as]) {
        for (const token of reader.tokens(asked)) {
          question.add(token);
          tf.set(token, (tf.get(token) || 0) + weight);
        }
      }
      const text = reader.tokens(entry.text);
      // Whose people each phrasing is about is read from what it asks, as a row's is. A phrasing
      // that names the customer's people ("can our staff use their work login?") says nothing
      // of the vendor's, whatever words it uses for them.
      const people = [entry.question, ...entry.also_asked_as].map((phrasing) => {
        const what = reader.asked(phrasing);
        const customer = reader.namesCustomerPeople(what);
        return [customer, !customer && reader.tokens(what).some((token) => reader.isVendorPeople(token))];
      });
      this.customerPeople.push(people.some(([customer]) => customer));
      this.vendorPeople.push(people.some(([, vendor]) => vendor));
      this.aboutSuppliers.push([entry.question, ...entry.also_asked_as].every((asked) => reader.tokens(asked).includes(reader.supplier)));
      this.namesSupplier.push(question.has(reader.supplier) || text.includes(reader.supplier));
      for (const token of text) tf.set(token, (tf.get(token) || 0) + 1);
      let length = 0;
      for (const [token, count] of tf) {
        this.frequency.set(token, (this.frequency.get(token) || 0) + 1);
        if (!this.postings.has(token)) this.postings.set(token, []);
        this.postings.get(token).push([index, count]);
        length += count; // whole numbers: the sum is exact in any order
      }
      this.lengths.push(length);
      this.docs.push(tf);
      this.questions.push(question);
      for (const id of entry.caiq) {
        const key = caiqId(id);
        if (!this.references.has(key)) this.references.set(key, []);
        this.references.get(key).push(index);
      }
    });
    // The entries shared on request only (teasers).
    this.onRequest = entries.map((entry, index) => (entry.on_request ? index : -1)).filter((index) => index >= 0);
    const total = this.lengths.reduce((a, b) => a + b, 0);
    this.averageLength = Math.max(entries.length === 0 ? 1 : total / entries.length, 1);
  }

  get ranking() {
    return this.reader.rules.ranking;
  }

  idf(token) {
    const n = this.entries.length;
    const df = this.frequency.get(token);
    if (df !== undefined) return Math.log(1 + (n - df + 0.5) / (df + 0.5));
    return Math.log(1 + (n - 0.5) / 1.5) * this.ranking.unknown_share;
  }

  bm25(tokens, doc) {
    const { k1, b } = this.ranking;
    const length = this.lengths[doc];
    let score = 0;
    for (const [token, idf] of tokens) {
      const tf = this.docs[doc].get(token) || 0;
      score += (idf * tf * (k1 + 1)) / (tf + k1 * (1 - b + (b * length) / this.averageLength));
    }
    return score;
  }

  coverage(tokens, doc) {
    let total = 0;
    for (const [, idf] of tokens) total += idf;
    if (total <= 0) return 0;
    let held = 0;
    for (const [token, idf] of tokens) {
      if (this.questions[doc].has(token)) held += idf;
      else if (this.docs[doc].has(token)) held += idf * this.ranking.text_only_share;
      else held += 0;
    }
    return held / total;
  }

  weighted(question) {
    const tokens = Array.from(new Set(this.reader.tokens(question))).sort(compare);
    return tokens.map((token) => [token, this.idf(token)]);
  }

  /** The best entry, as `Matcher::top`: {doc, score, next: [doc, score] | null}, or null. */
  top(tokens, except) {
    const { k1, b } = this.ranking;
    const scores = new Float64Array(this.entries.length);
    const touched = [];
    for (const [token, idf] of tokens) {
      const postings = this.postings.get(token);
      if (!postings) continue;
      for (const [doc, tf] of postings) {
        const norm = k1 * (1 - b + (b * this.lengths[doc]) / this.averageLength);
        if (scores[doc] === 0) touched.push(doc);
        scores[doc] += (idf * tf * (k1 + 1)) / (tf + norm);
      }
    }
    const ahead = (doc, other) =>
      other === null ||
      scores[doc] > other[1] ||
      (scores[doc] === other[1] && compare(this.entries[doc].id, this.entries[other[0]].id) < 0);
    let best = null;
    let next = null;
    for (const doc of touched) {
      if (doc === except || scores[doc] <= 0) continue;
      if (ahead(doc, best)) {
        next = best;
        best = [doc, scores[doc]];
      } else if (ahead(doc, next)) {
        next = [doc, scores[doc]];
      }
    }
    return best === null ? null : { doc: best[0], score: best[1], next };
  }

  ranked(tokens, among) {
    const scored = among.map((doc) => [doc, this.bm25(tokens, doc)]);
    scored.sort((a, b) => (b[1] > a[1] ? 1 : b[1] < a[1] ? -1 : compare(this.entries[a[0]].id, this.entries[b[0]].id)));
    return scored;
  }

  /** The decision for one question, as `Matcher::decide`: {method, answers, confidence, best, reason}. */
  decide(question, reference) {
    const [whole, short] = this.decideText(question, reference);
    // A row that tells its context first, left for a person only for its coverage, is read
    // again as what it asks; answered when both readings give the same answer (as `Matcher::decide`).
    if (!short || whole.confidence < this.reader.rules.context_answer_threshold) return whole;
    const asked = this.reader.asked(question);
    if (asked === question) return whole;
    const [part] = this.decideText(asked, null);
    const agree =
      part.method === "text" &&
      whole.best !== null &&
      whole.best[0] === part.answers[0] &&
      part.confidence >= this.reader.rules.context_part_threshold;
    if (!agree) return whole;
    return {
      ...part,
      reason: `${part.answers[0]} covers ${percent(part.confidence)} of what the question asks after its context (the whole row: ${percent(whole.confidence)})`,
    };
  }

  /** Decides one question as written, and whether it was left for a person only for its coverage. */
  decideText(question, reference) {
    const tokens = this.weighted(question);
    if (reference !== null && reference !== undefined) {
      const candidates = this.references.get(caiqId(reference));
      if (candidates) {
        const ranked = this.ranked(tokens, candidates);
        if (ranked.length > 0) {
          const id = this.entries[ranked[0][0]].id;
          return [
            {
              method: "reference",
              answers: [id],
              confidence: 1,
              best: [id, 1],
              reason: `the reference \`${trim(reference)}\` is one of ${id}'s`,
            },
            false,
          ];
        }
      }
    }
    const top = this.top(tokens, null);
    if (top === null) {
      return [
        {
          method: "needs-person",
          answers: [],
          confidence: 0,
          best: null,
          reason: "no answer shares a word with the question",
        },
        false,
      ];
    }
    const best = top.doc;
    const confidence = round(this.coverage(tokens, best));
    const id = this.entries[best].id;
    const needsPerson = (reason) => [{ method: "needs-person", answers: [], confidence, best: [id, confidence], reason }, false];
    if (!tokens.some(([token]) => this.questions[best].has(token))) {
      return needsPerson(`the closest answer, ${id}, answers a question that shares no word with this one`);
    }
    if (this.entries[best].on_request) {
      return needsPerson(`the closest answer, ${id}, is shared on request only: a person decides what to send`);
    }
    // Nor is one that a teaser covers nearly as much of, with words of the teaser's the best
    // answer lacks (as `Matcher::decide_text`).
    const share = this.reader.rules.on_request_share;
    const closeTeaser = this.onRequest.find(
      (teaser) =>
        tokens.some(([token]) => this.docs[teaser].has(token) && !this.docs[best].has(token)) &&
        this.coverage(tokens, teaser) >= share * confidence,
    );
    if (closeTeaser !== undefined) {
      return needsPerson(`the question is close to ${this.entries[closeTeaser].id}, shared on request only: a person decides what to send`);
    }
    // What the answer's scope leaves out: a standard, a kind of device, an interface.
    for (const scope of this.reader.scopes) {
      const named = tokens.map(([token]) => token).filter((token) => scope.members.has(token));
      if (named.length === 0 || named.some((token) => this.docs[best].has(token))) continue;
      const list = named.map((token) => `\`${token.replaceAll("_", " ")}\``).join(", ");
      if (Array.from(this.docs[best].keys()).some((token) => scope.members.has(token))) {
        return needsPerson(`the question names ${list}; the closest answer, ${id}, names other ${scope.name} only`);
      }
      if (scope.strict) {
        return needsPerson(`the question names ${list}; the closest answer, ${id}, names no ${scope.name}`);
      }
    }
    // What a question asks for (a figure), and whose people or suppliers it is about, are read
    // from what it asks, not from the context it gives first (as `Matcher::decide_text`).
    const asked = this.reader.asked(question);
    const figure = this.reader.figureNotGiven(this.reader.tokens(asked), this.entries[best].text);
    if (figure !== null) {
      return needsPerson(`the question asks for ${figure}; the closest answer, ${id}, gives none`);
    }
    if (!this.customerPeople[best] && this.vendorPeople[best] && this.reader.namesCustomerPeople(asked)) {
      return needsPerson(`the question is about the customer's own people; the closest answer, ${id}, is about the vendor's`);
    }
    // The whole row is read too: a colon can end a sentence that asks ("Do your own engineers
    // need MFA, and of what kind: SMS or a hardware token?").
    const onlyVendor = (text) => this.reader.namesVendorPeople(text) && !this.reader.namesCustomerPeople(text);
    if (this.customerPeople[best] && !this.vendorPeople[best] && (onlyVendor(asked) || onlyVendor(question))) {
      return needsPerson(`the question is about the vendor's own people; the closest answer, ${id}, is about the customer's`);
    }
    if (!this.namesSupplier[best] && this.reader.namesVendorSuppliers(asked)) {
      return needsPerson(`the question is about the vendor's suppliers; the closest answer, ${id}, names none`);
    }
    if (this.aboutSuppliers[best] && !this.reader.namesSupplier(asked) && !this.reader.namesVendorSuppliers(asked)) {
      return needsPerson(`the closest answer, ${id}, is about suppliers; the question names none`);
    }
    let weight = 0;
    for (const [, idf] of tokens) weight += idf;
    const nextScore = top.next === null ? 0 : top.next[1];
    const lead = weight > 0 ? round((top.score - nextScore) / weight) : 0;
    const rules = this.reader.rules;
    const nextId = top.next === null ? null : this.entries[top.next[0]].id;
    // How many times the next answer's score the best answer's is (as `Matcher::decide_text`).
    const ratio = nextScore > 0 ? round(top.score / nextScore) : null;
    const clearLead =
      (lead >= rules.lead_threshold && confidence >= rules.lead_answer_threshold) ||
      ((ratio === null || ratio >= rules.lead_ratio) && confidence >= rules.lead_ratio_answer_threshold);
    // A lead answers only a question whose words the library mostly knows.
    let unknown = 0;
    for (const [token, idf] of tokens) if (!this.frequency.has(token)) unknown += idf;
    const unknownWords = weight > 0 && unknown / weight >= rules.lead_unknown_share;
    if (confidence < rules.answer_threshold && clearLead && unknownWords) {
      const [decision] = needsPerson(
        `the closest answer, ${id}, covers ${percent(confidence)} of the question${leads(nextId, lead)}${times(ratio)}, but words no answer holds make up ${percent(rules.lead_unknown_share)} or more of it (a lead answers only below that)`,
      );
      return [decision, true];
    }
    if (confidence < rules.answer_threshold && !clearLead) {
      const [decision] = needsPerson(
        `the closest answer, ${id}, covers ${percent(confidence)} of the question${leads(nextId, lead)}${times(ratio)} (answering takes ${percent(rules.answer_threshold)}, or ${percent(rules.lead_answer_threshold)} with a lead of ${rules.lead_threshold}, or ${percent(rules.lead_ratio_answer_threshold)} at ${rules.lead_ratio} times the next answer's score)`,
      );
      return [decision, true];
    }
    const answers = [id];
    const rest = tokens.filter(([token]) => !this.docs[best].has(token));
    if (1 - confidence >= this.ranking.second_part_share) {
      const second = this.top(rest, best);
      if (
        second !== null &&
        !this.entries[second.doc].on_request &&
        this.coverage(rest, second.doc) >= rules.second_answer_threshold
      ) {
        answers.push(this.entries[second.doc].id);
      }
    }
    const reason =
      confidence < rules.answer_threshold
        ? `${id} covers ${percent(confidence)} of the question${leads(nextId, lead)}${times(ratio)}`
        : `${id} covers ${percent(confidence)} of the question`;
    return [{ method: "text", answers, confidence, best: [id, confidence], reason }, false];
  }
}

// ---- Finding the layout (layout.rs) ----------------------------------------------------------

const ROLES = ["reference", "response", "evidence", "comment", "question"];

/** The header words of each role, read once, as `layout::Keywords`: [role, [[keyword, inside]]]. */
function keywordsOf(columns) {
  return ROLES.map((role) => [
    role,
    columns[role].map((keyword) => {
      const key = words(keyword).join(" ");
      return [key, key.includes(" ") || utf8Length(key) >= 5];
    }),
  ]);
}

function roleOf(header, keywords) {
  const text = words(header).join(" ");
  if (text === "") return null;
  const padded = ` ${text} `;
  const found = keywords.find(([, list]) =>
    list.some(([key, inside]) => text === key || (inside && padded.includes(` ${key} `))),
  );
  return found ? found[0] : null;
}

/** The layout of `rows` (as `layout::detect` without overrides), or null. */
export function detect(rows, columns, within) {
  const keywords = keywordsOf(columns);
  let best = null;
  for (let row = 0; row < Math.min(rows.length, within); row++) {
    const found = { header_row: row, question: null, reference: null, response: null, comment: null, evidence: null };
    rows[row].forEach((cell, column) => {
      const role = roleOf(cell, keywords);
      if (role !== null && found[role] === null) found[role] = column;
    });
    if (found.question === null) continue;
    const roles = 1 + ["reference", "response", "comment", "evidence"].filter((r) => found[r] !== null).length;
    if (best === null || roles > best[0]) best = [roles, found];
  }
  return best === null ? null : best[1];
}

function cell(row, column) {
  if (column === null || column === undefined) return "";
  const value = row[column];
  return value === undefined ? "" : trim(value);
}

/** Whether a row under the header is a section heading, as `layout::is_heading`. */
export function isHeading(row, layout) {
  const question = cell(row, layout.question);
  const answered = cell(row, layout.response) !== "" || cell(row, layout.comment) !== "";
  if (answered || question.endsWith("?")) return false;
  if (layout.reference !== null) return cell(row, layout.reference) === "";
  return words(question).length <= 5;
}

// ---- What is written (fill.rs) -----------------------------------------------------------------

/** The sheet's words for yes, no and not applicable, as `Vocabulary::from_values`. */
export function vocabulary(values) {
  const found = { yes: "Yes", no: "No", na: "N/A" };
  const seen = { yes: false, no: false, na: false };
  for (const value of values) {
    const word = trim(value);
    const lower = word.toLowerCase();
    if (!seen.yes && (lower === "yes" || lower === "y")) {
      found.yes = word;
      seen.yes = true;
    } else if (!seen.no && (lower === "no" || lower === "n")) {
      found.no = word;
      seen.no = true;
    } else if (!seen.na && (lower === "n/a" || lower === "na" || lower === "not applicable")) {
      found.na = word;
      seen.na = true;
    }
  }
  return found;
}

/** A sheet's words, as `Vocabulary::of_sheet`: its dropdown's list, then the response column's values. */
export function sheetVocabulary(rows, layout, dropdown) {
  const existing = [];
  if (layout.response !== null) {
    for (const row of rows.slice(layout.header_row + 1)) {
      if (row[layout.response] !== undefined) existing.push(row[layout.response]);
    }
  }
  return vocabulary([...dropdown, ...existing]);
}

const INVISIBLE = /[\p{White_Space}\u00AD\u200B-\u200D\u2060\uFEFF]+/gu;
const FULL_WIDTH = /[\uFF01-\uFF5E]/g;

/**
 * A CAIQ id as `caiq::ids::normalise` writes it: white space and invisible format characters
 * dropped, full-width forms read as ASCII, upper case.
 */
export function caiqId(id) {
  return id
    .replace(INVISIBLE, "")
    .replace(FULL_WIDTH, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0))
    .toUpperCase();
}

/**
 * Whether a sheet's reference column may be matched against the answers' CAIQ ids, as
 * `fill::by_reference`: not when its ids are the other CAIQ version's (one is only the
 * other's, none only the content's). `caiq` is the library's `caiq` (`VersionTell`).
 */
export function byReference(rows, layout, caiq) {
  if (layout.reference === null || !caiq) return true;
  const onlyThis = new Set(caiq.only_this);
  const onlyOther = new Set(caiq.only_other);
  let other = false;
  for (let index = layout.header_row + 1; index < rows.length; index++) {
    const value = rows[index][layout.reference];
    if (value === undefined) continue;
    const id = caiqId(value);
    if (onlyThis.has(id)) return true;
    if (onlyOther.has(id)) other = true;
  }
  return !other;
}

/** The most characters one spreadsheet cell holds (`fill::CELL_LIMIT`). */
const CELL_LIMIT = 32767;

/** A CSV's cells: none holds a formula, none is inside a merged area (`Unwritable::default`). */
const NOTHING_UNWRITABLE = { formula: () => false, blocked: () => null };

/**
 * Every question row's plan, as `fill::plan`: {row, reference, question, state, decision, writes}.
 * `unwritable` is what the values do not show (a workbook's `unwritable(sheet)`).
 */
export function plan(rows, layout, matcher, vocab, byRef = true, unwritable = NOTHING_UNWRITABLE) {
  const plans = [];
  for (let index = layout.header_row + 1; index < rows.length; index++) {
    const row = rows[index];
    const question = cell(row, layout.question);
    if (question === "" || isHeading(row, layout)) continue;
    const reference = cell(row, layout.reference) || null;
    let decision = matcher.decide(question, byRef ? reference : null);
    // A formula is the customer's too, computed or not.
    const filled = [layout.response, layout.comment, layout.evidence].some(
      (column) => cell(row, column) !== "" || (column !== null && unwritable.formula(index, column)),
    );
    let state = filled ? "already-filled" : decision.method === "needs-person" ? "needs-person" : "answered";
    let writes = state === "answered" ? cellsFor(decision, layout, matcher, vocab) : [];
    // A cell holds at most CELL_LIMIT characters (UTF-16 code units, as a JavaScript string's
    // length counts them): the row is left for a person, never cut short (as fill.rs).
    const longest = Math.max(0, ...writes.map(([, value]) => value.length));
    if (longest > CELL_LIMIT) {
      decision = {
        ...decision,
        method: "needs-person",
        answers: [],
        reason: `the answer (${decision.answers.join(", ")}) is ${longest} characters long, more than a spreadsheet cell holds (${CELL_LIMIT}): a person shortens it`,
      };
      state = "needs-person";
      writes = [];
    }
    // A row is written whole or not at all (as fill.rs).
    const blocked = writes.map(([column]) => unwritable.blocked(index, column)).find((why) => why !== null);
    if (blocked !== undefined) {
      decision = {
        ...decision,
        method: "needs-person",
        answers: [],
        reason: `${blocked}: the answer (${decision.answers.join(", ")}) cannot be written whole, so a person fills the row`,
      };
      state = "needs-person";
      writes = [];
    }
    plans.push({ row: index, reference, question, state, decision, writes });
  }
  return plans;
}

function cellsFor(decision, layout, matcher, vocab) {
  const entries = decision.answers
    .map((id) => matcher.entries.find((entry) => entry.id === id))
    .filter((entry) => entry !== undefined);
  if (entries.length === 0) return [];
  const first = entries[0];
  const writes = [];
  if (layout.response !== null && first.response) writes.push([layout.response, vocab[first.response]]);
  const citation = entries.map((entry) => `${entry.id} ${entry.url}`).join("\n");
  const text = entries.map((entry) => entry.text).join("\n\n");
  if (layout.comment !== null && layout.evidence !== null) {
    writes.push([layout.comment, text], [layout.evidence, citation]);
  } else if (layout.comment !== null) {
    writes.push([layout.comment, `${text}\n\nSource: ${citation}`]);
  } else if (layout.evidence !== null) {
    writes.push([layout.evidence, citation]);
  }
  writes.sort((a, b) => a[0] - b[0] || compare(a[1], b[1]));
  return writes;
}

/** Whether a layout has a column to answer in. */
export function answerable(layout) {
  return layout.response !== null || layout.comment !== null || layout.evidence !== null;
}
