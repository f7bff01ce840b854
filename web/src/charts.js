// echarts, only the parts the dashboard draws, bundled apart from the
// application so that pages without charts do not load it.
import * as echarts from 'echarts/core';
import { BarChart, LineChart, PieChart } from 'echarts/charts';
import { GridComponent, TooltipComponent, LegendComponent, AriaComponent } from 'echarts/components';
import { CanvasRenderer } from 'echarts/renderers';

echarts.use([BarChart, LineChart, PieChart, GridComponent, TooltipComponent, LegendComponent, AriaComponent, CanvasRenderer]);

// Tooltips are drawn on the canvas (renderMode richText): an HTML tooltip
// would need inline styles, which the Content-Security-Policy refuses.
export function draw(el, option) {
  const chart = echarts.init(el, null, { renderer: 'canvas' });
  chart.setOption({ aria: { enabled: true }, tooltip: { renderMode: 'richText' }, animation: false, ...option });
  window.addEventListener('resize', () => chart.resize());
  return chart;
}
