// Guess a selector's type from what was typed, as a starting point the
// analyst can change. The node normalises and validates; this only picks
// the type to ask it about.
export const TYPES = ['phone', 'bank_account', 'iban', 'ewallet', 'crypto', 'url', 'domain', 'email',
  'ip', 'handle', 'imei', 'national_id', 'passport'];

export function detect(raw) {
  const v = (raw || '').trim();
  if (!v) return null;
  if (/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(v)) return 'email';
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(v) || /^www\./i.test(v)) return 'url';
  if (/^0x[0-9a-f]{40}$/i.test(v)) return 'crypto';
  if (/^(bc1|tb1)[0-9a-z]{20,}$/i.test(v) || /^[13][1-9A-HJ-NP-Za-km-z]{25,34}$/.test(v) || /^T[1-9A-HJ-NP-Za-km-z]{33}$/.test(v)) return 'crypto';
  if (/^\d{1,3}(\.\d{1,3}){3}(\/\d{1,2})?$/.test(v) || /^[0-9a-f:]+:[0-9a-f:]*(\/\d{1,3})?$/i.test(v) && v.includes('::')) return 'ip';
  if (/^[A-Z]{2}\d{2}[A-Z0-9 ]{10,32}$/i.test(v.replace(/\s/g, '')) && /^[A-Z]{2}\d{2}/i.test(v) && v.replace(/\s/g, '').length >= 15) return 'iban';
  if (/^@[\w.]{2,}$/.test(v)) return 'handle';
  if (/^[a-z0-9-]+(\.[a-z0-9-]+)+$/i.test(v) && /[a-z]/i.test(v.split('.').pop())) return 'domain';
  const digits = v.replace(/[\s().-]/g, '');
  if (/^\+\d{7,15}$/.test(digits)) return 'phone';
  if (/^0\d{8,11}$/.test(digits)) return 'phone';
  if (/^\d{15}$/.test(digits)) return 'imei';
  if (/^\d{6,20}$/.test(digits)) return 'bank_account';
  if (/^[A-Z][0-9]{7}[A-Z]$/i.test(v)) return 'national_id';
  if (/^[A-Z]{1,2}\d{6,8}[A-Z]?$/i.test(v)) return 'passport';
  if (/^\p{L}[\p{L}\p{M}' .-]+$/u.test(v) && v.includes(' ')) return 'name';
  return null;
}

// Which companion fields each type wants.
export const COMPANIONS = {
  phone: ['country'], bank_account: ['country', 'bank'], ewallet: ['provider', 'country'],
  crypto: ['chain'], handle: ['platform'], national_id: ['country'], passport: ['country'],
};
