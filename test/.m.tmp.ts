import { loadGhlSpecValidator } from './support/ghl-spec-validator.ts';
const cpu = () => { const u = process.cpuUsage(); return Math.round((u.user + u.system) / 1000); };
let c = cpu();
const v = await loadGhlSpecValidator();
console.log('load', cpu() - c); 
for (const [m, p, s] of [['GET','/contacts/abc',200],['POST','/contacts/',201],['GET','/contacts/',200],['GET','/users/',200],['GET','/users/search',200],['GET','/calendars/events',200],['POST','/contacts/search',200],['GET','/contacts/abc',404],['GET','/contacts/x/tasks',200]] as const) {
  c = cpu();
  v.validateResponse({ method: m, path: p, status: s, body: {} });
  console.log(m, p, s, cpu() - c);
}
