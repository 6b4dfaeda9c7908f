/** Reading the XML rolecall writes, for tests: a small tree parser (no attributes besides xmlns, no mixed content). */

export interface Xml {
  readonly name: string;
  readonly children: Xml[];
  text: string;
}

export const unescapeXml = (s: string): string =>
  s
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&#13;/g, '\r')
    .replace(/&amp;/g, '&');

export function parseXml(body: string): Xml {
  const root: Xml = { name: '#document', children: [], text: '' };
  const stack: Xml[] = [root];
  for (const m of body.matchAll(/<(\/?)([\w:]+)[^>]*?(\/?)>|([^<]+)/g)) {
    const top = stack[stack.length - 1] as Xml;
    if (m[4] !== undefined) {
      top.text += unescapeXml(m[4]);
    } else if (m[1] === '/') {
      stack.pop();
    } else {
      const node: Xml = { name: m[2] ?? '', children: [], text: '' };
      top.children.push(node);
      if (m[3] !== '/') stack.push(node);
    }
  }
  return root.children[0] as Xml;
}
