/**
 * The command box: history (↑/↓, kept in localStorage), suggestions as you
 * type (shot library phrases, phrases with the scene's subject names, and
 * history), Enter previews, Shift+Enter goes.
 */
const HISTORY_KEY = 'cinepilot.history';
const HISTORY_MAX = 50;
const SUGGESTIONS_SHOWN = 8;

export interface CommandBoxHandlers {
  preview(text: string): void;
  go(text: string): void;
}

export class CommandBox {
  private history: string[] = [];
  private historyIndex = -1;
  private phrases: Array<{ text: string; hint: string }> = [];
  private shown: Array<{ text: string; hint: string }> = [];
  private active = -1;

  constructor(readonly input: HTMLInputElement, private readonly list: HTMLUListElement, private readonly handlers: CommandBoxHandlers) {
    try {
      this.history = JSON.parse(localStorage.getItem(HISTORY_KEY) ?? '[]') as string[];
    } catch {
      this.history = [];
    }
    input.addEventListener('input', () => this.suggest());
    input.addEventListener('focus', () => this.suggest());
    input.addEventListener('blur', () => window.setTimeout(() => this.hide(), 150));
    input.addEventListener('keydown', (e) => this.onKey(e));
  }

  get text(): string {
    return this.input.value.trim();
  }

  set text(t: string) {
    this.input.value = t;
  }

  setPhrases(phrases: Array<{ text: string; hint: string }>): void {
    this.phrases = phrases;
  }

  remember(text: string): void {
    this.history = [text, ...this.history.filter((h) => h !== text)].slice(0, HISTORY_MAX);
    this.historyIndex = -1;
    try {
      localStorage.setItem(HISTORY_KEY, JSON.stringify(this.history));
    } catch {
      // private mode: history lives for this page only
    }
  }

  private suggest(): void {
    const q = this.input.value.trim().toLowerCase();
    const pool = [...this.history.map((text) => ({ text, hint: 'history' })), ...this.phrases];
    const seen = new Set<string>();
    this.shown = pool.filter((p) => {
      if (seen.has(p.text)) return false;
      seen.add(p.text);
      return q === '' ? p.hint !== 'history' || this.history.indexOf(p.text) < 3 : p.text.toLowerCase().includes(q) && p.text.toLowerCase() !== q;
    }).slice(0, SUGGESTIONS_SHOWN);
    this.active = -1;
    this.render();
  }

  private render(): void {
    this.list.replaceChildren(...this.shown.map((s, i) => {
      const li = document.createElement('li');
      li.textContent = s.text;
      const hint = document.createElement('small');
      hint.textContent = s.hint;
      li.appendChild(hint);
      if (i === this.active) li.classList.add('active');
      li.addEventListener('mousedown', (e) => {
        e.preventDefault();
        this.input.value = s.text;
        this.hide();
      });
      return li;
    }));
    this.list.hidden = this.shown.length === 0 || document.activeElement !== this.input;
  }

  hide(): void {
    this.list.hidden = true;
    this.active = -1;
  }

  private onKey(e: KeyboardEvent): void {
    if (e.key === 'Enter') {
      e.preventDefault();
      if (this.active >= 0 && this.shown[this.active]) {
        this.input.value = this.shown[this.active]!.text;
        this.hide();
        return;
      }
      const t = this.text;
      if (!t) return;
      this.hide();
      if (e.shiftKey) this.handlers.go(t);
      else this.handlers.preview(t);
    } else if (e.key === 'ArrowDown' && !this.list.hidden) {
      e.preventDefault();
      this.active = Math.min(this.shown.length - 1, this.active + 1);
      this.render();
    } else if (e.key === 'ArrowUp' && !this.list.hidden && this.active > 0) {
      e.preventDefault();
      this.active--;
      this.render();
    } else if (e.key === 'ArrowUp' && this.history.length) {
      e.preventDefault();
      this.historyIndex = Math.min(this.history.length - 1, this.historyIndex + 1);
      this.input.value = this.history[this.historyIndex]!;
      this.hide();
    } else if (e.key === 'ArrowDown' && this.historyIndex >= 0) {
      e.preventDefault();
      this.historyIndex--;
      this.input.value = this.historyIndex >= 0 ? this.history[this.historyIndex]! : '';
    }
  }
}
