import { countAll } from './count.js';

window.countOnPage = countAll;
