import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './ui/App.tsx';
import { startLab } from './ui/lab.ts';
import './ui/styles.css';

const container = document.getElementById('root');
if (!container) throw new Error('index.html has no #root element');
// Outside React: StrictMode's double mount must not start two engine workers.
const lab = startLab();
createRoot(container).render(
  <StrictMode>
    <App lab={lab} />
  </StrictMode>,
);
