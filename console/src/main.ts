import './styles.css';
import { ConsoleApp } from './app.js';
import { Session } from './session.js';

const root = document.getElementById('app');
if (root === null) throw new Error('The console page has no #app element');
new ConsoleApp(root, new Session(window.sessionStorage)).start();
