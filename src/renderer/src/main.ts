import { createPinia } from 'pinia'
import { createApp } from 'vue'
import App from './App.vue'
import './charts/echarts-setup'
import './styles/main.css'

createApp(App).use(createPinia()).mount('#app')
