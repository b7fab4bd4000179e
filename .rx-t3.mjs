import { RE2JS } from 're2js';
function time(label, f) { const t = performance.now(); const r = f(); console.log(label, r, (performance.now()-t).toFixed(1)+'ms'); }
for (const n of [10000, 20000, 40000]) {
  const s = 'a'.repeat(n);
  time('a*b|a findall n='+n, () => { const m = RE2JS.compile('a*b|a').matcher(s); let k=0,p=0; while (p <= n && m.find(p)) { k++; p = m.end() > m.start() ? m.end() : m.end()+1; } return k; });
  time('(a*b|a) findall groups n='+n, () => { const m = RE2JS.compile('(a*b|a)').matcher(s); let k=0,p=0; while (p <= n && m.find(p)) { k++; m.group(1); p = m.end() > m.start() ? m.end() : m.end()+1; } return k; });
  time('x|a*$ ... n='+n, () => { const m = RE2JS.compile('(a)(?:a*c)?').matcher(s); let k=0,p=0; while (p <= n && m.find(p)) { k++; m.group(1); p = m.end() > m.start() ? m.end() : m.end()+1; } return k; });
}
