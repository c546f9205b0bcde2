import './capacity-bar.css';
import { memo, useMemo } from 'react';
import { scaleLinear } from 'd3';
import { capacityBar, type CapacityInput, type CapacityMark, type MarkKey } from '../../shared/capacity.ts';

// About the panel's width in CSS pixels, so the labels show at the page's small-print size.
const W = 900;
const H = 58;
const M = { left: 8, right: 8 };
/** The bar's band, between the bound's label above and the axis below. */
const BAR = { y: 16, h: 14 };

/**
 * One horizontal scale in tokens (issue 19 §5): the tokens right (best, and the current vectors'
 * when a run reports them) inside the text's length, Kuratov et al.'s bound for one vector, and the
 * text's H_LM priced at the bound's bits per token. The numbers and what each mark means come from
 * shared/capacity.ts; each mark's tooltip says it in words.
 */
export const CapacityBar = memo(function CapacityBar(props: CapacityInput & { testId: string }) {
  const { hidden, vocabSize, length, correct, best, hLmNats, testId } = props;
  const bar = useMemo(() => capacityBar({ hidden, vocabSize, length, correct, best, hLmNats }), [hidden, vocabSize, length, correct, best, hLmNats]);
  const x = scaleLinear().domain([0, bar.max]).range([M.left, W - M.right]);
  const at = (k: MarkKey): CapacityMark | undefined => bar.marks.find((m) => m.key === k);
  const rect = (k: MarkKey, y: number, h: number) => {
    const m = at(k);
    if (!m) return null;
    return (
      <rect className={k} x={x(0)} y={y} width={Math.max(0, x(m.tokens) - x(0))} height={h} data-tokens={m.tokens}>
        <title>{m.title}</title>
      </rect>
    );
  };
  const line = (k: MarkKey, labelY: number) => {
    const m = at(k);
    if (!m) return null;
    const px = x(m.tokens);
    // Labels near the right end are drawn leftwards, so they stay inside the bar's width.
    const anchor = px > W * 0.7 ? 'end' : 'start';
    return (
      // The group's title is the tooltip of both the line and its label (a title inside the text would join its text).
      <g data-mark={k}>
        <title>{m.title}</title>
        <line className={k} x1={px} x2={px} y1={BAR.y - 4} y2={BAR.y + BAR.h + 4} />
        <text className={`${k}-label`} x={px + (anchor === 'end' ? -3 : 3)} y={labelY} textAnchor={anchor} data-testid={`${testId}-${k}`}>
          {m.label}
        </text>
      </g>
    );
  };
  return (
    <figure className="capacity" data-testid={testId}>
      <svg viewBox={`0 0 ${W} ${H}`} role="img" aria-label={bar.caption}>
        <rect className="track" x={x(0)} y={BAR.y} width={x(bar.max) - x(0)} height={BAR.h} />
        {rect('length', BAR.y, BAR.h)}
        {rect('best', BAR.y + 1, BAR.h - 2)}
        {rect('correct', BAR.y + BAR.h / 2 - 1.5, 3)}
        {line('bound', 10)}
        {line('hlm', BAR.y + BAR.h + 14)}
        <g className="axis">
          {x.ticks(5).map((t) => (
            <text key={t} x={x(t)} y={H - 2} textAnchor="middle">
              {t}
            </text>
          ))}
        </g>
      </svg>
      <figcaption data-testid={`${testId}-caption`}>
        tokens: {bar.caption}. Green: tokens reproduced by the best vectors (blue line: the current ones), inside the text&apos;s length (outline); red: the
        bound for one float16 vector; dashed: H_LM priced at log2 V bits a token. Hover a mark for its meaning.
      </figcaption>
    </figure>
  );
});
