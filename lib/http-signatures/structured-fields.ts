// RFC 8941 Structured Field Values: the parsing and serialisation that RFC 9421 needs
// (dictionaries, lists, inner lists, items, parameters; no RFC 9651 dates or display strings).
// Parsers throw StructuredFieldError; callers turn that into a `malformed` result.

export type BareItem =
  | { type: "integer"; value: number }
  | { type: "decimal"; value: number }
  | { type: "string"; value: string }
  | { type: "token"; value: string }
  | { type: "bytes"; value: Uint8Array }
  | { type: "boolean"; value: boolean };

export type Parameters = Map<string, BareItem>;
export interface Item {
  kind: "item";
  value: BareItem;
  params: Parameters;
}
export interface InnerList {
  kind: "inner-list";
  items: Item[];
  params: Parameters;
}
export type Member = Item | InnerList;
export type Dictionary = Map<string, Member>;

export interface ParseOptions {
  /** RFC 8941 lets a later duplicate key overwrite an earlier one; a verifier should refuse instead. */
  rejectDuplicateKeys?: boolean;
}

export class StructuredFieldError extends Error {
  override name = "StructuredFieldError";
}

const DIGIT = /[0-9]/;
const ALPHA = /[A-Za-z]/;
const LCALPHA = /[a-z]/;
const KEY_CHAR = /[a-z0-9_.*-]/;
// tchar (RFC 9110) plus ":" and "/"
const TOKEN_CHAR = /[!#$%&'*+\-.^_`|~0-9A-Za-z:/]/;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

class Parser {
  private pos = 0;
  constructor(
    private readonly input: string,
    private readonly options: ParseOptions,
  ) {
    // Field values are ASCII; anything else is invalid.
    if (/[^\x00-\x7f]/.test(input)) this.fail("non-ASCII character");
  }

  fail(message: string): never {
    throw new StructuredFieldError(`${message} at offset ${this.pos}`);
  }

  private peek(): string {
    return this.input[this.pos] ?? "";
  }
  private done(): boolean {
    return this.pos >= this.input.length;
  }
  private skipSP(): void {
    while (this.peek() === " ") this.pos++;
  }
  private skipOWS(): void {
    while (this.peek() === " " || this.peek() === "\t") this.pos++;
  }

  private set<V>(map: Map<string, V>, key: string, value: V): void {
    if (this.options.rejectDuplicateKeys && map.has(key)) this.fail(`duplicate key "${key}"`);
    map.set(key, value);
  }

  /** Top level: leading and trailing SP are discarded, then nothing may remain. */
  top<T>(parse: () => T): T {
    this.skipSP();
    const out = parse();
    this.skipSP();
    if (!this.done()) this.fail("unexpected trailing characters");
    return out;
  }

  dictionary(): Dictionary {
    const dict: Dictionary = new Map();
    while (!this.done()) {
      const key = this.key();
      let member: Member;
      if (this.peek() === "=") {
        this.pos++;
        member = this.itemOrInnerList();
      } else {
        member = { kind: "item", value: { type: "boolean", value: true }, params: this.parameters() };
      }
      this.set(dict, key, member);
      if (!this.listSeparator()) break;
    }
    return dict;
  }

  list(): Member[] {
    const members: Member[] = [];
    while (!this.done()) {
      members.push(this.itemOrInnerList());
      if (!this.listSeparator()) break;
    }
    return members;
  }

  /** After a member: OWS, then end (false) or a comma followed by another member (true). */
  private listSeparator(): boolean {
    this.skipOWS();
    if (this.done()) return false;
    if (this.peek() !== ",") this.fail('expected ","');
    this.pos++;
    this.skipOWS();
    if (this.done()) this.fail("trailing comma");
    return true;
  }

  private itemOrInnerList(): Member {
    return this.peek() === "(" ? this.innerList() : this.item();
  }

  private innerList(): InnerList {
    this.pos++; // "("
    const items: Item[] = [];
    while (!this.done()) {
      this.skipSP();
      if (this.peek() === ")") {
        this.pos++;
        return { kind: "inner-list", items, params: this.parameters() };
      }
      items.push(this.item());
      const c = this.peek();
      if (c !== " " && c !== ")") this.fail('expected " " or ")" in inner list');
    }
    this.fail("unterminated inner list");
  }

  item(): Item {
    const value = this.bareItem();
    return { kind: "item", value, params: this.parameters() };
  }

  private parameters(): Parameters {
    const params: Parameters = new Map();
    while (this.peek() === ";") {
      this.pos++;
      this.skipSP();
      const key = this.key();
      let value: BareItem = { type: "boolean", value: true };
      if (this.peek() === "=") {
        this.pos++;
        value = this.bareItem();
      }
      this.set(params, key, value);
    }
    return params;
  }

  private key(): string {
    const first = this.peek();
    if (!LCALPHA.test(first) && first !== "*") this.fail("invalid key");
    const start = this.pos;
    while (!this.done() && KEY_CHAR.test(this.peek())) this.pos++;
    return this.input.slice(start, this.pos);
  }

  private bareItem(): BareItem {
    const c = this.peek();
    if (c === "-" || DIGIT.test(c)) return this.number();
    if (c === '"') return this.string();
    if (c === "*" || ALPHA.test(c)) return this.token();
    if (c === ":") return this.bytes();
    if (c === "?") return this.boolean();
    this.fail("unrecognised item");
  }

  private number(): BareItem {
    let decimal = false;
    let sign = 1;
    let digits = "";
    if (this.peek() === "-") {
      this.pos++;
      sign = -1;
    }
    if (!DIGIT.test(this.peek())) this.fail("expected a digit");
    while (!this.done()) {
      const c = this.peek();
      if (DIGIT.test(c)) digits += c;
      else if (!decimal && c === ".") {
        if (digits.length > 12) this.fail("decimal has too many integer digits");
        digits += c;
        decimal = true;
      } else break;
      this.pos++;
      if (!decimal && digits.length > 15) this.fail("integer too long");
      if (decimal && digits.length > 16) this.fail("decimal too long");
    }
    // `+ 0` turns -0 into 0 ("-0" is zero, RFC 8941 has no negative zero).
    if (!decimal) return { type: "integer", value: sign * Number(digits) + 0 };
    if (digits.endsWith(".")) this.fail("decimal ends with a dot");
    if (digits.length - digits.indexOf(".") - 1 > 3) this.fail("decimal has too many fraction digits");
    return { type: "decimal", value: sign * Number(digits) + 0 };
  }

  private string(): BareItem {
    this.pos++; // opening quote
    let out = "";
    while (!this.done()) {
      const c = this.input[this.pos++];
      if (c === "\\") {
        const next = this.input[this.pos++];
        if (next !== '"' && next !== "\\") this.fail("invalid escape in string");
        out += next;
      } else if (c === '"') {
        return { type: "string", value: out };
      } else if (c < " " || c > "~") {
        this.fail("invalid character in string");
      } else out += c;
    }
    this.fail("unterminated string");
  }

  private token(): BareItem {
    const start = this.pos;
    this.pos++;
    while (!this.done() && TOKEN_CHAR.test(this.peek())) this.pos++;
    return { type: "token", value: this.input.slice(start, this.pos) };
  }

  private bytes(): BareItem {
    this.pos++; // ":"
    const end = this.input.indexOf(":", this.pos);
    if (end < 0) this.fail("unterminated byte sequence");
    const b64 = this.input.slice(this.pos, end);
    if (!BASE64.test(b64)) this.fail("invalid base64 in byte sequence");
    this.pos = end + 1;
    return { type: "bytes", value: new Uint8Array(Buffer.from(b64, "base64")) };
  }

  private boolean(): BareItem {
    this.pos++; // "?"
    const c = this.peek();
    if (c !== "0" && c !== "1") this.fail("invalid boolean");
    this.pos++;
    return { type: "boolean", value: c === "1" };
  }
}

export function parseDictionary(input: string, options: ParseOptions = {}): Dictionary {
  const p = new Parser(input, options);
  return p.top(() => p.dictionary());
}

export function parseList(input: string, options: ParseOptions = {}): Member[] {
  const p = new Parser(input, options);
  return p.top(() => p.list());
}

export function parseItem(input: string, options: ParseOptions = {}): Item {
  const p = new Parser(input, options);
  return p.top(() => p.item());
}

// ---- serialisation (RFC 8941 §4.1) ----

function serializeBareItem(item: BareItem): string {
  switch (item.type) {
    case "integer":
      if (!Number.isInteger(item.value) || Math.abs(item.value) > 999_999_999_999_999) {
        throw new StructuredFieldError(`not a structured-field integer: ${item.value}`);
      }
      return String(item.value);
    case "decimal": {
      const rounded = Math.round(item.value * 1000) / 1000;
      if (Math.abs(Math.trunc(rounded)) > 999_999_999_999) throw new StructuredFieldError(`decimal too large: ${item.value}`);
      const s = rounded.toFixed(3).replace(/0+$/, "");
      return s.endsWith(".") ? `${s}0` : s;
    }
    case "string":
      if (/[^\x20-\x7e]/.test(item.value)) throw new StructuredFieldError("a structured-field string must be printable ASCII");
      return `"${item.value.replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"`;
    case "token":
      if (!/^[A-Za-z*][!#$%&'*+\-.^_`|~0-9A-Za-z:/]*$/.test(item.value)) throw new StructuredFieldError(`not a token: ${item.value}`);
      return item.value;
    case "bytes":
      return `:${Buffer.from(item.value).toString("base64")}:`;
    case "boolean":
      return item.value ? "?1" : "?0";
  }
}

function serializeKey(key: string): string {
  if (!/^[a-z*][a-z0-9_.*-]*$/.test(key)) throw new StructuredFieldError(`not a key: ${key}`);
  return key;
}

function serializeParameters(params: Parameters): string {
  let out = "";
  for (const [key, value] of params) {
    out += `;${serializeKey(key)}`;
    if (!(value.type === "boolean" && value.value)) out += `=${serializeBareItem(value)}`;
  }
  return out;
}

export function serializeItem(item: Item): string {
  return serializeBareItem(item.value) + serializeParameters(item.params);
}

export function serializeInnerList(list: InnerList): string {
  return `(${list.items.map(serializeItem).join(" ")})${serializeParameters(list.params)}`;
}

function serializeMember(member: Member): string {
  return member.kind === "inner-list" ? serializeInnerList(member) : serializeItem(member);
}

export function serializeList(members: Member[]): string {
  return members.map(serializeMember).join(", ");
}

export function serializeDictionary(dict: Dictionary): string {
  return [...dict]
    .map(([key, member]) =>
      member.kind === "item" && member.value.type === "boolean" && member.value.value
        ? serializeKey(key) + serializeParameters(member.params)
        : `${serializeKey(key)}=${serializeMember(member)}`,
    )
    .join(", ");
}

// small constructors
export const sfString = (value: string): BareItem => ({ type: "string", value });
export const sfInteger = (value: number): BareItem => ({ type: "integer", value });
export const sfItem = (value: BareItem, params: Parameters = new Map()): Item => ({ kind: "item", value, params });
