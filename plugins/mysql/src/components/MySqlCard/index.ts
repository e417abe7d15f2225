export { MySqlCard } from './MySqlCard';
