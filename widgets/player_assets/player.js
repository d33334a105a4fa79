// The standalone HTML player: one SVG restyled frame by frame (as in the notebook), from the data
// in <script id="bp-data">: each frame's stylesheet, narration and phase, and the time per step.
(function () {
  'use strict';
  const data = JSON.parse(document.getElementById('bp-data').textContent);
  const n = data.css.length;
  const style = document.getElementById('bp-frame-style');
  const narration = document.querySelector('.bp-narration');
  const phase = document.querySelector('.bp-phase');
  const slider = document.querySelector('.bp-slider');
  const count = document.querySelector('.bp-count');
  const play = document.querySelector('.bp-play');
  const buttons = {
    first: document.querySelector('.bp-first'), prev: document.querySelector('.bp-prev'),
    next: document.querySelector('.bp-next'), last: document.querySelector('.bp-last'),
  };
  let index = 0;
  let timer = null;
  slider.max = String(n - 1);

  function show(i) {
    index = Math.max(0, Math.min(n - 1, i));
    style.textContent = data.css[index];
    narration.innerHTML = data.narration[index];  // written by export.py: labels already escaped
    phase.innerHTML = data.phase[index];
    slider.value = String(index);
    count.textContent = 'step ' + index + ' of ' + (n - 1);
    buttons.first.disabled = buttons.prev.disabled = index === 0;
    buttons.next.disabled = buttons.last.disabled = index === n - 1;
    if (index === n - 1) stop();
  }

  function stop() {
    if (timer !== null) { clearInterval(timer); timer = null; }
    play.textContent = '\u25b6 Play';
    play.setAttribute('aria-pressed', 'false');
  }

  function toggle() {
    if (timer !== null) { stop(); return; }
    if (index === n - 1) show(0);
    timer = setInterval(function () { show(index + 1); }, data.interval);
    play.textContent = '\u2016 Pause';
    play.setAttribute('aria-pressed', 'true');
  }

  function go(i) { stop(); show(i); }

  buttons.first.addEventListener('click', function () { go(0); });
  buttons.prev.addEventListener('click', function () { go(index - 1); });
  buttons.next.addEventListener('click', function () { go(index + 1); });
  buttons.last.addEventListener('click', function () { go(n - 1); });
  play.addEventListener('click', toggle);
  slider.addEventListener('input', function () { go(parseInt(slider.value, 10)); });

  const steps = {ArrowRight: 1, ArrowDown: 1, PageDown: 1, ArrowLeft: -1, ArrowUp: -1, PageUp: -1};
  document.addEventListener('keydown', function (e) {
    if (e.target === slider || e.altKey || e.ctrlKey || e.metaKey) return;  // the slider moves itself
    if (e.key in steps) go(index + steps[e.key]);
    else if (e.key === 'Home') go(0);
    else if (e.key === 'End') go(n - 1);
    else if (e.key === ' ') toggle();
    else return;
    e.preventDefault();
  });

  show(0);
})();
