// Tiny DOM helpers: build elements without a framework, never through innerHTML with data.

// h builds an element. Props: class, style (object), on* listeners, value/checked as
// properties, true as an empty attribute, false/null/undefined left out.
export function h(tag, props, ...children) {
  const el = document.createElement(tag);
  if (props) {
    for (const [k, v] of Object.entries(props)) {
      if (v == null || v === false) continue;
      if (k === 'class') el.className = v;
      else if (k === 'style') Object.assign(el.style, v);
      else if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2).toLowerCase(), v);
      else if (k === 'value' || k === 'checked' || k === 'indeterminate') el[k] = v;
      else if (k === 'dataset') Object.assign(el.dataset, v);
      else el.setAttribute(k, v === true ? '' : String(v));
    }
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children) {
    if (c == null || c === false) continue;
    if (Array.isArray(c)) append(el, c);
    else if (c instanceof Node) el.appendChild(c);
    else el.appendChild(document.createTextNode(String(c)));
  }
}

// mount replaces the children of el.
export function mount(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

// svg parses a static, trusted SVG string (pictograms shipped with the app).
export function svg(markup, cls = 'icon') {
  const t = document.createElement('template');
  t.innerHTML = markup.trim();
  const el = t.content.firstElementChild;
  el.setAttribute('class', cls);
  el.setAttribute('aria-hidden', 'true');
  el.setAttribute('focusable', 'false');
  return el;
}

// announce sets the text of a live region so screen readers read it.
export function announce(region, text) {
  region.textContent = '';
  // A separate task, so an identical message is read again.
  setTimeout(() => { region.textContent = text; }, 30);
}

let idCounter = 0;
// uid returns a page-unique id for label/aria wiring.
export function uid(prefix = 'id') { idCounter += 1; return `${prefix}-${idCounter}`; }

// field wraps an input with its label, hint and error slot.
export function field({ label, hint, input, error }) {
  const id = input.id || uid('f');
  input.id = id;
  const hintEl = hint ? h('p', { class: 'hint', id: `${id}-hint` }, hint) : null;
  const errEl = h('p', { class: 'field-error', id: `${id}-error`, hidden: !error }, error || '');
  const described = [hintEl && hintEl.id, errEl.id].filter(Boolean).join(' ');
  input.setAttribute('aria-describedby', described);
  return h('div', { class: 'field' }, h('label', { for: id }, label), hintEl, input, errEl);
}

// setFieldError shows or hides the error of a field built by field().
export function setFieldError(input, message) {
  const err = document.getElementById(`${input.id}-error`);
  if (!err) return;
  err.textContent = message || '';
  err.hidden = !message;
  if (message) input.setAttribute('aria-invalid', 'true');
  else input.removeAttribute('aria-invalid');
}
