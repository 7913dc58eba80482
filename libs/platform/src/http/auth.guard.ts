import { timingSafeEqual } from 'node:crypto';
import {
  type CanActivate,
  type ExecutionContext,
  ForbiddenException,
  Inject,
  Injectable,
  Logger,
  type OnModuleInit,
  UnauthorizedException,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyRequest } from 'fastify';
import { type Config, ROLES, type Role } from '@podsync/domain';
import { CONFIG } from '../tokens';
import { PUBLIC_ROUTE, REQUIRED_ROLE } from './access.decorators';

const rank = (role: Role): number => ROLES.indexOf(role);

/** Bearer tokens from PODSYNC_API_TOKENS; with none configured, auth is off (the embedded default). */
@Injectable()
export class AuthGuard implements CanActivate, OnModuleInit {
  private readonly logger = new Logger(AuthGuard.name);

  constructor(
    private readonly reflector: Reflector,
    @Inject(CONFIG) private readonly config: Config,
  ) {}

  onModuleInit(): void {
    if (this.config.auth.tokens.length === 0) {
      this.logger.warn('PODSYNC_API_TOKENS is not set: the API accepts every request without a token');
    }
  }

  canActivate(context: ExecutionContext): boolean {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean | undefined>(PUBLIC_ROUTE, targets) === true) return true;
    if (this.config.auth.tokens.length === 0) return true;
    // A route that forgot to declare its role is the most restricted, not the least.
    const required = this.reflector.getAllAndOverride<Role | undefined>(REQUIRED_ROLE, targets) ?? 'admin';
    const role = this.roleOf(context.switchToHttp().getRequest<FastifyRequest>());
    if (rank(role) < rank(required)) {
      throw new ForbiddenException(`this needs the ${required} role; the token has ${role}`);
    }
    return true;
  }

  private roleOf(request: FastifyRequest): Role {
    const header = request.headers.authorization;
    const match = typeof header === 'string' ? /^Bearer (\S+)$/i.exec(header) : null;
    if (!match?.[1]) throw new UnauthorizedException('send Authorization: Bearer <token>');
    const presented = Buffer.from(match[1]);
    const entry = this.config.auth.tokens.find((candidate) => {
      const known = Buffer.from(candidate.token);
      return known.length === presented.length && timingSafeEqual(known, presented);
    });
    if (entry === undefined) throw new UnauthorizedException('the bearer token is not valid');
    return entry.role;
  }
}
