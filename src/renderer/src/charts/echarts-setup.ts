import { BarChart, LineChart, SankeyChart } from 'echarts/charts'
import { GridComponent, LegendComponent, TooltipComponent } from 'echarts/components'
import { use } from 'echarts/core'
import { CanvasRenderer } from 'echarts/renderers'

// Registered once at start-up: only the parts the views draw, so the bundle stays small.
use([CanvasRenderer, BarChart, LineChart, SankeyChart, GridComponent, LegendComponent, TooltipComponent])
