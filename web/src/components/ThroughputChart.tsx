/**
 * A running job's throughput over time (tasks/s, from the progress events this console has received since it
 * opened the job), drawn by uPlot: small, fast, canvas-based. Colours follow the page's light or dark theme.
 */
import { useEffect, useRef } from "react";
import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";

export function ThroughputChart({ samples }: { samples: readonly (readonly [number, number])[] }) {
  const box = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);

  useEffect(() => {
    const element = box.current;
    if (element === null) return;
    const style = getComputedStyle(element);
    const line = style.getPropertyValue("--accent").trim() || "#2563eb";
    const axis = style.getPropertyValue("--muted").trim() || "#888";
    plot.current = new uPlot(
      {
        width: element.clientWidth,
        height: 160,
        legend: { show: false },
        cursor: { show: false },
        scales: { x: { time: true }, y: { range: (_u, _min, max) => [0, Math.max(1, max * 1.1)] } },
        axes: [
          {
            stroke: axis,
            grid: { stroke: "transparent" },
            values: (_u, splits) => splits.map((s) => new Date(s * 1000).toLocaleTimeString()),
          },
          { stroke: axis, label: "tasks/s", size: 56 },
        ],
        series: [{}, { stroke: line, width: 2, fill: `${line}22` }],
      },
      [[], []],
      element,
    );
    const resize = new ResizeObserver(() => plot.current?.setSize({ width: element.clientWidth, height: 160 }));
    resize.observe(element);
    return () => {
      resize.disconnect();
      plot.current?.destroy();
      plot.current = null;
    };
  }, []);

  useEffect(() => {
    plot.current?.setData([samples.map(([t]) => t / 1000), samples.map(([, v]) => v)]);
  }, [samples]);

  return (
    <figure className="chart">
      <div
        ref={box}
        role="img"
        aria-label={`Throughput over time, latest ${samples.at(-1)?.[1] ?? 0} tasks per second`}
      />
      <figcaption>Throughput since this page opened</figcaption>
    </figure>
  );
}
