export { FleetPage } from './FleetPage';
export { FleetContent } from './FleetContent';
