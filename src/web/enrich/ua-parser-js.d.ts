// ua-parser-js 1.x ships no types (2.x does, but is AGPL): the part we use.
declare module "ua-parser-js" {
  type Result = { browser: { name?: string; version?: string }; os: { name?: string; version?: string }; device: { type?: string; model?: string; vendor?: string } };
  export default class UAParser {
    constructor(ua?: string);
    getResult(): Result;
  }
}
